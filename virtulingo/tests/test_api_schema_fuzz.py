"""schemathesis against the REST API's own OpenAPI schema (drf-spectacular, served at
/api/schema/): requests generated from the schema, valid and not, sent in-process to the
Django WSGI application as an authenticated game client. No request may get a 5xx, and
every response the schema describes must match it.

The engines are test doubles (the grammar checker, the language model, speech); the turn, the
review and the event code under them is the product's. Bounded per operation so the whole run
takes a few tens of seconds on a slow two-core machine."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from conversations.tests.helpers import FUZZ_SCALE, CountingSTT, HandedEngines, ScriptedLanguageModel, SilentTTS
from engines.interfaces import GrammarEdit, GrammarResult
from engines.registry import get_registry
from npcs.tests.factories import NPCFactory
from players.services import player_token_issue
from players.tests.factories import PlayerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_test_db", "no_grammar_checks"),
]

EXAMPLES_PER_OPERATION = 6 * FUZZ_SCALE  # in each mode, valid and invalid requests
CHECKS = [not_a_server_error, response_schema_conformance]


async def scripted_check(utterance: str, *, language: str, **options) -> GrammarResult:
    """Test double for the grammar checker: one spelling mistake in any utterance."""
    edit = GrammarEdit(
        original=utterance[:10], correction="fixed", category="spelling", explanation="Spelling.", severity=2
    )
    return GrammarResult.from_edits(
        utterance=utterance, correction=f"{utterance} fixed", edits=[edit], language=language, engine="scripted"
    )


@pytest.fixture
def test_double_engines(monkeypatch):
    registry = get_registry()
    monkeypatch.setattr(registry, "check_grammar", scripted_check)
    monkeypatch.setattr(registry, "llm", lambda name=None: ScriptedLanguageModel(["Hello there. ", "Bread?"]))
    handed = HandedEngines(llm=ScriptedLanguageModel(["Hello. ", "Bread?"]), tts=SilentTTS(), stt=CountingSTT())
    monkeypatch.setattr("conversations.apis.get_registry", lambda: handed)


@pytest.fixture
def game_client(settings, test_double_engines):
    """A player with a token and an NPC to talk to; anonymous players are off, as in production."""
    settings.VIRTULINGO_ALLOW_ANONYMOUS_PLAYERS = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis' WSGI requests' host
    player = PlayerFactory(player_id="fuzzer")
    token = player_token_issue(player=player)
    npc = NPCFactory(npc_id="fuzz_npc", language="en")
    return player, token, npc


def requests_sent(strategy) -> int:
    """Send the strategy's requests, checking each response; returns how many were sent."""
    sent = 0

    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=strategy)
    def run(case):
        nonlocal sent
        response = case.call()
        sent += 1
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        pass  # nothing to negate in this operation (its only parameters are the fixed ones)
    return sent


def test_the_rest_api_never_answers_5xx_and_keeps_to_its_schema(game_client):
    player, token, npc = game_client
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8, [operation.label for operation in operations]
    ran: dict[str, int] = {}  # requests per operation and generation mode

    for operation in operations:
        # Mostly this player and NPC, so that the requests reach past authentication.
        known = {"player_id": player.player_id, "npc_id": npc.npc_id}
        path_parameters = {key: value for key, value in known.items() if f"{{{key}}}" in operation.path}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(
                generation_mode=mode,
                path_parameters=path_parameters or None,
                headers={"Authorization": f"Bearer {token}"},
            )

            ran[f"{operation.label} ({mode.value})"] = requests_sent(strategy)

    print(f"schemathesis: {sum(ran.values())} requests over {len(operations)} operations: {ran}")  # pytest -s
    assert all(ran[f"{operation.label} (positive)"] for operation in operations), ran
