"""Without a broker, a turn's grammar check runs beside the server's sockets: its engine work
waits behind every learner's turn (issue 14, part 3)."""

import pytest

from conversations.tests.factories import TurnFactory
from engines.scheduling import Priority, current_priority
from grammar.models import Mistake
from grammar.services import grammar_check_turn_retried


# Transactional: the in-process check runs on its own thread, with its own connection.
@pytest.mark.django_db(transaction=True)
def test_a_turns_check_asks_the_grammar_engine_as_background_work(engines_for_grammar, monkeypatch):
    harper = engines_for_grammar.grammar_engine("harper")
    checked = harper.check_sync
    priorities: list[Priority] = []

    def check_sync(*args, **kwargs):
        priorities.append(current_priority())  # in the engines' worker thread
        return checked(*args, **kwargs)

    monkeypatch.setattr(harper, "check_sync", check_sync)
    turn = TurnFactory(transcript="She don't like apples.", language="en")

    assert grammar_check_turn_retried(turn.pk)
    assert priorities == [Priority.BACKGROUND]
    assert Mistake.objects.filter(grammar_check__turn=turn).exists()
