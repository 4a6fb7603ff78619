"""Grammar listens for the turns the conversation room records (connected in apps.py)."""

from django.dispatch import receiver

from conversations.models import Turn
from conversations.signals import turn_recorded
from grammar.services import grammar_check_enqueue


@receiver(turn_recorded, sender=Turn, dispatch_uid="grammar_check_recorded_turn")
async def grammar_check_recorded_turn(sender, *, turn_id: int, **kwargs) -> None:
    await grammar_check_enqueue(turn_id=turn_id)
