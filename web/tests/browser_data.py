"""Practice history for the browser tests and screenshots, written into a live server's own
database after seed_demo: `manage.py shell -c "from web.tests.browser_data import create; create()"`."""

from datetime import timedelta

from django.utils import timezone

from npcs.models import NPC
from players.models import Player
from web.tests.practice import A_APPLE, DONT, GOED, Edit, conversation_with, turn_with

IN_ON = Edit("preposition", "in", "on", "Con días de la semana, «on».")
BEN_ARTICLE = Edit("article", "le", "la", "Table is feminine: la table.")
BEN_VERB = Edit("verb_conjugation", "allez", "vais", "With je, use vais.")


def create() -> None:
    now = timezone.now()
    ana, ben = Player.objects.get(player_id="learner_ana"), Player.objects.get(player_id="learner_ben")
    tom, brown, pierre = (NPC.objects.get(npc_id=npc_id) for npc_id in ("baker_01", "cashier_brown", "baker_pierre"))

    # The oldest mistake comes first in a review session: the browser test answers it.
    earlier = conversation_with(player=ana, npc=tom, at=now - timedelta(days=9), minutes=6)
    turn_with(
        conversation=earlier,
        transcript="She don't like apples.",
        corrected="She doesn't like apples.",
        edits=(DONT,),
        at=now - timedelta(days=9),
        reply="Oh? Then maybe a croissant for her.",
    )
    turn_with(
        conversation=earlier,
        transcript="I goed to the market yesterday.",
        corrected="I went to the market yesterday.",
        edits=(GOED,),
        at=now - timedelta(days=8, hours=23),
        reply="Did you find good bread there?",
    )
    turn_with(
        conversation=earlier,
        transcript="He go to school in bus.",
        corrected="He goes to school by bus.",
        edits=(
            Edit("verb_conjugation", "go", "goes", "Con «he», «goes»."),
            Edit("preposition", "in", "by", "«by bus»."),
        ),
        at=now - timedelta(days=8, hours=22),
        reply="My son takes the bus too!",
    )
    for days_ago in (2, 1, 0):
        conversation = conversation_with(
            player=ana, npc=brown, at=now - timedelta(days=days_ago, minutes=30), minutes=8
        )
        turn_with(
            conversation=conversation,
            transcript="I want a apple, please.",
            corrected="I want an apple, please.",
            edits=(A_APPLE,),
            at=now - timedelta(days=days_ago, minutes=25),
            reply="Of course, dear. Anything else?",
        )
        turn_with(
            conversation=conversation,
            transcript="I come back in Monday.",
            corrected="I come back on Monday.",
            edits=(IN_ON,),
            at=now - timedelta(days=days_ago, minutes=24),
            reply="See you on Monday then!",
        )
        turn_with(
            conversation=conversation,
            transcript="Thank you, have a nice day!",
            at=now - timedelta(days=days_ago, minutes=23),
            reply="You too!",
        )

    previous = conversation_with(player=ben, npc=pierre, at=now - timedelta(days=10), minutes=5)
    for minute in range(3):
        turn_with(
            conversation=previous,
            transcript="Je allez à le boulangerie.",
            corrected="Je vais à la boulangerie.",
            edits=(BEN_VERB, BEN_ARTICLE),
            at=now - timedelta(days=10, minutes=-minute),
            reply="Très bien ! Et qu'est-ce que vous voulez ?",
        )
