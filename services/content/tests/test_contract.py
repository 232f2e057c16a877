"""The API answers as its own OpenAPI document says, for valid and invalid input alike."""

import pytest
from pytest_django.live_server_helper import LiveServer

from content.authors.models import Author
from platform_common.testing.contract import run_contract
from platform_common.testing.jwt import MakeToken


@pytest.mark.django_db(transaction=True)
def test_the_api_honours_its_openapi_document(
    live_server: LiveServer, make_token: MakeToken, author: Author
) -> None:
    result = run_contract(
        f"{live_server.url}/api/v1/content/schema/",
        token=make_token(sub=author.id, roles=("reader", "author")),
    )

    assert result.returncode == 0, result.stdout[-20000:]
