"""The LanguageTool engine through httpx against a local server speaking /v2/check."""

from __future__ import annotations

import pytest

from engines.errors import EngineResponseError, EngineTimeoutError, EngineUnreachableError
from engines.executor import EngineExecutor
from engines.grammar_languagetool import LanguageToolGrammar

from .fake_server import Reply

pytestmark = pytest.mark.asyncio


def match(
    offset: int, length: int, replacement: str, message: str, rule_id: str, category: str, issue: str = "grammar"
) -> dict:
    return {
        "message": message,
        "shortMessage": "",
        "offset": offset,
        "length": length,
        "replacements": [{"value": replacement}],
        "context": {"text": "", "offset": offset, "length": length},
        "rule": {
            "id": rule_id,
            "description": message,
            "issueType": issue,
            "category": {"id": category, "name": category.title()},
        },
    }


def checker(url: str, timeout: float = 5.0) -> LanguageToolGrammar:
    return LanguageToolGrammar(executor=EngineExecutor(workers=1, timeout=timeout), url=url, timeout=timeout)


async def test_matches_become_typed_edits_and_a_corrected_sentence(fake_server) -> None:
    text = "Je suis allé a la boulangerie et j'ai acheté deux baguete."
    fake_server.script(
        Reply(
            body={
                "language": {"code": "fr"},
                "matches": [
                    match(
                        13, 1, "à", "Confusion possible entre « a » et « à ».", "A_A_ACCENT", "CAT_HOMONYMES_PARONYMES"
                    ),
                    match(
                        50, 7, "baguette", "Faute de frappe possible.", "FR_SPELLING_RULE", "TYPOS", issue="misspelling"
                    ),
                    match(0, 2, "JE", "Majuscule", "UPPERCASE", "CASING"),  # writing, not language: ignored
                ],
            }
        )
    )
    result = await checker(fake_server.url).check(text, language="fr", level="B1")
    assert result.status == "ok" and result.mistake_found
    assert result.correction == "Je suis allé à la boulangerie et j'ai acheté deux baguette."
    assert [(e.original, e.correction, e.category) for e in result.edits] == [
        ("a", "à", "other"),
        ("baguete", "baguette", "spelling"),
    ]
    (request,) = fake_server.requests
    assert request.path == "/v2/check"
    assert request.form() == {"text": text, "language": "fr"}


async def test_english_uses_a_variant_and_a_clean_sentence_has_no_mistake(fake_server) -> None:
    fake_server.script(Reply(body={"matches": []}))
    result = await checker(fake_server.url).check("I would like two loaves of bread.", language="en")
    assert result.status == "ok" and not result.mistake_found
    assert fake_server.requests[0].form()["language"] == "en-US"


async def test_agreement_rules_map_to_verb_conjugation(fake_server) -> None:
    fake_server.script(
        Reply(
            body={
                "matches": [
                    match(4, 5, "doesn't", "The verb does not agree with the subject.", "HE_VERB_AGR", "GRAMMAR"),
                ]
            }
        )
    )
    result = await checker(fake_server.url).check("She don't like apples.", language="en")
    assert result.category == "verb_conjugation"
    assert result.correction == "She doesn't like apples."


async def test_a_500_is_a_clear_error(fake_server) -> None:
    fake_server.script(Reply(status=500, body="Internal Server Error"))
    with pytest.raises(EngineResponseError, match="HTTP 500"):
        await checker(fake_server.url).check("Hallo.", language="de")


async def test_a_slow_server_times_out(fake_server) -> None:
    fake_server.script(Reply(body={"matches": []}, delay=3))
    with pytest.raises(EngineTimeoutError):
        await checker(fake_server.url, timeout=1).check("Hallo.", language="de")


async def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(EngineUnreachableError, match="unreachable"):
        await checker("http://127.0.0.1:9").check("Hallo.", language="de")


async def test_an_answer_in_another_format_is_refused(fake_server) -> None:
    fake_server.script(Reply(body={"unexpected": True}))
    with pytest.raises(EngineResponseError, match="v2/check"):
        await checker(fake_server.url).check("Hallo.", language="de")


async def test_without_a_url_the_engine_is_unavailable() -> None:
    engine = LanguageToolGrammar(executor=EngineExecutor(workers=1, timeout=5), url="")
    assert engine.state == "unavailable" and "LANGUAGETOOL_URL" in engine.reason
