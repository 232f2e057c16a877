"""The API answers as its own OpenAPI document says, for valid and invalid input alike."""

import pytest
from pytest_django.live_server_helper import LiveServer

from accounts.users.models import User
from platform_common.testing.contract import run_contract
from platform_common.testing.jwt import MakeToken


@pytest.mark.django_db(transaction=True)
def test_the_api_honours_its_openapi_document(
    live_server: LiveServer, make_token: MakeToken, user: User
) -> None:
    result = run_contract(
        f"{live_server.url}/api/v1/accounts/schema/",
        token=make_token(sub=user.id),
    )

    assert result.returncode == 0, result.stdout[-20000:]
