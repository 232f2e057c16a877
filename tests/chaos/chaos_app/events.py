from chaos_app.models import Effect
from platform_common.events import Envelope, subscribe


@subscribe("accounts.user.registered")
def record_effect(event: Envelope) -> None:
    Effect.objects.create(event_id=event.id)
