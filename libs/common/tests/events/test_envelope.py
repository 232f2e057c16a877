"""The envelope's JSON form: every field, and back to an equal envelope."""

import dataclasses
import json

from platform_common.events.envelope import Envelope
from platform_common.testing.events import make_envelope


def test_an_envelope_survives_its_json_form_with_every_field() -> None:
    envelope = make_envelope(
        type="accounts.user.registered",
        data={"user_id": "3f1c", "email": "erin@example.com", "tags": ["a", {"b": 1}]},
    )

    payload = envelope.to_dict()

    assert set(payload) == {field.name for field in dataclasses.fields(Envelope)}
    assert Envelope.from_json(envelope.to_json()) == envelope
    assert json.loads(envelope.to_json())["occurred_at"] == envelope.occurred_at.isoformat()
    # The form is a copy: changing it leaves the (frozen) envelope's data alone.
    payload["data"]["tags"][1]["b"] = 2
    assert envelope.data["tags"] == ["a", {"b": 1}]
