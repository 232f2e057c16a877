"""Published contracts never change; a new version is a new file added to the lock."""

import pytest
from factories import user_data

from platform_common.events import contracts
from platform_common.events.envelope import Envelope, InvalidEnvelope


@pytest.mark.parametrize(("event_type", "version"), contracts.known_contracts())
def test_every_contract_is_locked_and_unchanged(event_type: str, version: int) -> None:
    key = contracts.lock_key(event_type, version)
    locked = contracts.published_checksums()

    assert key in locked, f"add {key!r}: {contracts.schema_checksum(event_type, version)!r}"
    assert locked[key] == contracts.schema_checksum(event_type, version), (
        f"{key} was published and must not change: add v{version + 1}.json instead"
    )


def test_every_locked_contract_still_has_its_schema() -> None:
    published = set(contracts.published_checksums())

    present = {contracts.lock_key(*contract) for contract in contracts.known_contracts()}

    assert published <= present


def test_user_registered_v1_accepts_the_documented_data() -> None:
    contracts.validate_data(event_type="accounts.user.registered", version=1, data=user_data())


def test_envelope_round_trips_through_json() -> None:
    data = user_data()
    envelope = Envelope(
        type="accounts.user.registered",
        data=data,
        aggregate_id=data["user_id"],
        aggregate_version=4,
        producer="accounts",
        request_id="req-1",
    )

    assert Envelope.from_json(envelope.to_json()) == envelope


@pytest.mark.parametrize("event_type", ["accounts.user", "accounts..registered", "a.b.c.d"])
def test_envelope_refuses_a_type_without_three_parts(event_type: str) -> None:
    with pytest.raises(InvalidEnvelope):
        Envelope(type=event_type, data={}, aggregate_id="1", aggregate_version=1, producer="x")
