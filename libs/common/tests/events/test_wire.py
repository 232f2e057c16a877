"""What the Celery message of an event lets a log line say."""

from platform_common.events.wire import event_message
from platform_common.testing.events import make_envelope


def test_the_task_description_celery_logs_names_the_event_never_its_data() -> None:
    envelope = make_envelope(
        type="accounts.user.registered",
        data={"user_id": "3f1c", "email": "erin@example.com", "display_name": "Erin"},
    )

    message = event_message(envelope, origin="relay@accounts", traceparent=envelope.traceparent)

    described = message.headers["argsrepr"] + message.headers["kwargsrepr"]
    assert "erin@example.com" not in described
    assert "Erin" not in described
    assert "accounts.user.registered" in described
    assert str(envelope.id) in described
