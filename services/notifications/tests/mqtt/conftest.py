# The service under a real uvicorn, as the inbox tests run it.
from tests.inbox.conftest import asgi_server, uvicorn_server  # noqa: F401
