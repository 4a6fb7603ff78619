"""Reads for players."""

from django.db.models import Count, QuerySet

from npcs.models import NPC
from players.models import Classroom, Player, Relationship

# Upper bounds of each description, from hostile to close friend.
_RELATIONSHIP_LEVELS = [(-0.5, "hostile"), (-0.1, "wary"), (0.1, "stranger"), (0.3, "acquaintance"), (0.6, "friend")]


def relationship_describe(*, score: float) -> str:
    """A plain word for the prompt: a small model follows "friend" better than "0.42"."""
    for upper_bound, description in _RELATIONSHIP_LEVELS:
        if score < upper_bound:
            return description
    return "close friend"


def relationship_score(*, player: Player, npc: NPC) -> float:
    relationship = Relationship.objects.filter(player=player, npc=npc).only("score").first()
    return relationship.score if relationship else 0.0


def player_for_user(*, user) -> Player | None:
    """The learner a signed-in Django user plays as, if any."""
    if not user.is_authenticated:
        return None
    return Player.objects.filter(user=user).first()


def classroom_list_for_teacher(*, teacher) -> QuerySet[Classroom]:
    return Classroom.objects.filter(teacher=teacher).annotate(learner_count=Count("learners")).order_by("name")


def classroom_get_for_teacher(*, teacher, classroom_id: int) -> Classroom | None:
    """The class if this user teaches it: another teacher's class is as unknown as a missing one."""
    return Classroom.objects.filter(teacher=teacher, id=classroom_id).first()


def classroom_learner_get(*, classroom: Classroom, player_id: str) -> Player | None:
    return classroom.learners.filter(player_id=player_id).first()
