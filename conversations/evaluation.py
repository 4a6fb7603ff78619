"""The conversation evaluation's scripts and automatic checks (bench/conversations.py runs
them against a server; a test runs a few against the embedded model).

Each NPC reply is checked for: its language (lingua-language-detector, whose models
ship in its wheel, restricted to the demo languages; on a text of under four words,
where any identifier guesses, either of its two likeliest languages passes), staying
in character (no talk of being an AI or a model, no text of the system prompt),
keeping its role (not ordering like a customer: a heuristic on a few phrases), a
length suited to the NPC's CEFR level, no repetition loop, not a copy of the
learner's words, and prices only from the NPC's price list (what an order of up to
four of each item costs).
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

SCRIPTS_DIR = Path(__file__).resolve().parent.parent / "bench" / "conversation_scripts"
DEMO_LANGUAGES = ("en", "fr", "es", "de")
CHECKS = ("language", "in_character", "role", "length", "no_loop", "not_a_copy", "prices")

# Most words a reply may have, by the NPC's CEFR level ("one to three short sentences").
MAX_WORDS = {"A1": 30, "A2": 40, "B1": 55, "B2": 70, "C1": 80, "C2": 80}

# Talk of being a machine, per language (word-bounded, case-insensitive except the acronyms).
OUT_OF_CHARACTER = {
    "en": r"\b(an AI|AI model|artificial intelligence|language model|chatbot|virtual assistant|as an assistant"
    r"|I am a robot|I'm a robot)\b",
    "fr": r"\b(une IA|intelligence artificielle|modèle de langage|assistant virtuel|chatbot|je suis un robot)\b",
    "es": r"\b(una IA|inteligencia artificial|modelo de lenguaje|asistente virtual|chatbot|(?<!no )soy un robot)\b",
    "de": r"\b(eine KI|künstliche Intelligenz|Sprachmodell|virtueller Assistent|Chatbot|ich bin ein Roboter)\b",
}
# Words of the system prompt or of the model's maker that a character never says.
PROMPT_LEAKS = (
    "CEFR",
    "system prompt",
    "prompt système",
    "prompt del sistema",
    "Systemprompt",
    "Rules:",
    "Règles :",
    "Reglas:",
    "Regeln:",
    "Qwen",
    "Alibaba",
    "OpenAI",
    "SmolLM",
    "Hugging Face",
)
# The customer's words: an NPC that orders has swapped roles with the learner.
CUSTOMER_WORDS = {
    "en": r"\b(I would like|I'd like|I want to buy|can I have)\b",
    "fr": r"\b(je voudrais|je veux acheter)\b",
    "es": r"\b(quiero comprar|quisiera|me llevo|póngame)\b",
    "de": r"\b(ich möchte|ich hätte gern)\b",
}
# The learner asks what something costs: the reply should quote a price from the list.
ASKS_PRICE = re.compile(r"how much|combien|cuánto|was kost|wie viel", flags=re.IGNORECASE)
# The prices computed in code for the learner's words (conversations/prompts.py) said back as they are.
PRICE_HINT = re.compile(r"\b\d+ x \w")
AMOUNT = r"(\d{1,3}(?:[.,]\d{2})?)"
PRICE = re.compile(rf"(?<![\d.,]){AMOUNT}\s*(?:€|£|\$|euros?|pounds?)|(?:€|£|\$)\s*{AMOUNT}")


@dataclass(frozen=True)
class Dialogue:
    language: str
    npc_id: str
    dialogue_id: str
    kind: str
    turns: tuple[str, ...]


@dataclass
class ReplyVerdict:
    reply: str
    checks: dict[str, bool] = field(default_factory=dict)
    detected_language: str = ""
    # Asked a price, it quoted one from the list (None: no price was asked). Not one of the checks.
    price_answered: bool | None = None

    @property
    def passed(self) -> bool:
        return all(self.checks.values())

    def failures(self) -> list[str]:
        return [name for name, ok in self.checks.items() if not ok]


def load_dialogues(languages: tuple[str, ...] = DEMO_LANGUAGES, scripts_dir: Path = SCRIPTS_DIR) -> list[Dialogue]:
    dialogues = []
    for language in languages:
        data = json.loads((scripts_dir / f"{language}.json").read_text(encoding="utf-8"))
        for item in data["dialogues"]:
            dialogues.append(
                Dialogue(
                    language=data["language"],
                    npc_id=data["npc"],
                    dialogue_id=item["id"],
                    kind=item["kind"],
                    turns=tuple(item["turns"]),
                )
            )
    return dialogues


@cache
def _detector() -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in DEMO_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


SHORT_TEXT_WORDS = 4


def detect_language(text: str, *, names: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The demo languages ``text`` may be in, most likely first: one, or for a text of fewer
    than four words (where the identifier is a guess) the two likeliest. Prices, numbers and
    ``names`` (the NPC's goods: "croissants" in an English sentence reads as French) are
    left out."""
    words = re.sub(r"[\d€£$.,:;!?¡¿()\"-]+", " ", text)
    if not words.split():
        return ()  # a bare price ("2,50 €"): no language to judge
    stems = {_stem(name) for item in names for name in _words(item) if len(name) > 3}
    kept = [word for word in words.split() if _stem(word.lower()) not in stems] or words.split()
    ranked = _detector().compute_language_confidence_values(" ".join(kept))
    return tuple(
        str(item.language.iso_code_639_1.name).lower() for item in ranked[: 1 if len(kept) >= SHORT_TEXT_WORDS else 2]
    )


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def has_loop(text: str, *, earlier: tuple[str, ...] = ()) -> bool:
    """A repetition loop: a 4-word sequence three times or more, or an earlier reply again."""
    words = _words(text)
    grams = Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))
    if grams and max(grams.values()) >= 3:
        return True
    normalized = " ".join(words)
    return bool(normalized) and any(normalized == " ".join(_words(previous)) for previous in earlier)


def is_copy(reply: str, learner: str) -> bool:
    """The reply parrots the learner's sentence instead of answering it. A formula of four
    words or fewer ("Bonne journée !") is answered in kind, so it is not counted."""
    reply_words, learner_words = _words(reply), _words(learner)
    if len(learner_words) < 5 or not reply_words:
        return False
    return difflib.SequenceMatcher(a=reply_words, b=learner_words).ratio() >= 0.75


def quoted_prices(text: str) -> list[Decimal]:
    return [Decimal((a or b).replace(",", ".")) for a, b in PRICE.findall(text)]


def check_reply(
    reply: str,
    *,
    learner: str,
    language: str,
    cefr_level: str,
    price_list: list[dict[str, Any]] | None = None,
    earlier_replies: tuple[str, ...] = (),
) -> ReplyVerdict:
    verdict = ReplyVerdict(reply=reply)
    text = reply.strip()
    names = tuple(str(entry.get("item", "")) for entry in price_list or ())
    candidates = detect_language(text, names=names) if text else ()
    verdict.detected_language = "/".join(candidates) or "-"
    verdict.checks["language"] = bool(text) and (language in candidates or not candidates)
    pattern = OUT_OF_CHARACTER.get(language, OUT_OF_CHARACTER["en"])
    leaked = any(leak.lower() in text.lower() for leak in PROMPT_LEAKS) or bool(PRICE_HINT.search(text))
    verdict.checks["in_character"] = not re.search(pattern, text, flags=re.IGNORECASE) and not leaked
    customer = CUSTOMER_WORDS.get(language, CUSTOMER_WORDS["en"])
    verdict.checks["role"] = not re.search(customer, text, flags=re.IGNORECASE)
    verdict.checks["length"] = 0 < len(_words(text)) <= MAX_WORDS.get(cefr_level, 40)
    verdict.checks["no_loop"] = not has_loop(text, earlier=earlier_replies)
    verdict.checks["not_a_copy"] = not is_copy(text, learner)
    allowed = possible_amounts(tuple(str(entry["price"]) for entry in price_list or () if "price" in entry))
    quoted = quoted_prices(text)
    verdict.checks["prices"] = all(amount in allowed for amount in quoted)
    if ASKS_PRICE.search(learner):
        verdict.price_answered = bool(quoted) and verdict.checks["prices"]
    return verdict


@cache
def possible_amounts(prices: tuple[str, ...]) -> frozenset[Decimal]:
    """Every amount an order of up to four of each item on the list costs."""
    amounts = {Decimal(0)}
    for price in prices:
        unit = Decimal(price).quantize(Decimal("0.01"))
        amounts = {amount + unit * quantity for amount in amounts for quantity in range(5)}
    return frozenset(amount.quantize(Decimal("0.01")) for amount in amounts if amount > 0)
