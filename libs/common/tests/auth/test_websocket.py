from platform_common.auth.websocket import handshake_token


def test_the_query_token_is_taken_out_of_the_query_string() -> None:
    handshake = handshake_token(query_string=b"since=5&access_token=abc&x=1", subprotocols=[])

    assert (handshake.token, handshake.subprotocol) == ("abc", None)
    assert handshake.query_string == b"since=5&x=1"


def test_the_bearer_subprotocol_wins_and_is_accepted_with_bearer() -> None:
    handshake = handshake_token(query_string=b"access_token=q", subprotocols=["bearer", "s"])

    assert (handshake.token, handshake.subprotocol) == ("s", "bearer")
    assert handshake.query_string == b""


def test_no_token_and_other_subprotocols_leave_the_handshake_anonymous() -> None:
    handshake = handshake_token(query_string=b"a=1", subprotocols=["notifications.v1"])

    assert (handshake.token, handshake.subprotocol, handshake.query_string) == (None, None, b"a=1")


def test_an_empty_token_counts_as_none() -> None:
    assert handshake_token(query_string=b"access_token=", subprotocols=[]).token is None
    assert handshake_token(query_string=b"", subprotocols=["bearer", ""]).token is None


def test_the_authorization_header_wins_and_the_query_token_is_still_removed() -> None:
    handshake = handshake_token(
        query_string=b"access_token=q&a=1",
        subprotocols=["bearer", "s"],
        authorization=b"Bearer h",
    )

    assert (handshake.token, handshake.subprotocol) == ("h", None)
    assert handshake.query_string == b"a=1"


def test_an_authorization_header_of_another_scheme_carries_no_token() -> None:
    handshake = handshake_token(
        query_string=b"access_token=q", subprotocols=[], authorization=b"Basic dTpw"
    )

    assert handshake.token is None


def test_a_ticket_decides_alone_and_is_taken_out_of_the_query_string() -> None:
    handshake = handshake_token(
        query_string=b"ticket=t1&since=3&access_token=q",
        subprotocols=["bearer", "s"],
        authorization=b"Bearer h",
    )

    assert (handshake.ticket, handshake.token, handshake.subprotocol) == ("t1", None, None)
    assert handshake.query_string == b"since=3"
