from bench_app.models import Handled
from platform_common.events import Envelope, subscribe


@subscribe("accounts.user.registered")
def record(event: Envelope) -> None:
    Handled.objects.create(event_id=event.id, occurred_at=event.occurred_at)
