"""Grammalecte: the offline French grammar checker (Debian ``python3-grammalecte``, GPL-3.0).

Grammalecte is pure Python but is not on PyPI: Debian installs it for the system Python, in
``/usr/lib/python3/dist-packages``, which the project's virtual environment does not see. So the
package is loaded from the directory ``VIRTULINGO_GRAMMALECTE_PATH`` names (Debian's by default)
by its own path: only ``grammalecte`` comes in, never the rest of Debian's packages. When the
environment can import it itself (a copy on ``sys.path``), that copy wins. Absent, the engine is
``unavailable`` from the start, with the reason and the command that installs it, and French is
reported so in /health.

Typography, spacing and capitals are off (the text is a speech transcript), and so is the spell
checker (a transcript's unknown word is Whisper's, not the learner's). Grammalecte's errors and
the rules of ``grammar_rules_fr`` (learner mistakes Grammalecte leaves alone) are then corrected
one at a time: for each, every suggestion is tried and the sentence checked again, and the fix
that leaves the fewest errors wins; ties go to Grammalecte's main action over its alternative
("Ils mangent", not "Il mange"), and to the determiner rather than the noun when genders clash
("un petit chien", not "une petite chienne": a noun's gender is the word the learner chose, the
agreement is the mistake). A fix can reveal the next one ("que je aille" -> "que j'aille"),
which the next round finds. The edits are then the differences between the utterance and the
corrected sentence, each typed with the category of the fix that made it.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from . import grammar_rules_fr
from .base import BaseEngine
from .errors import EngineUnavailableError
from .executor import EngineExecutor
from .interfaces import GrammarEdit, GrammarResult

DEBIAN_PATH = "/usr/lib/python3/dist-packages"
INSTALL_HINT = "install the Debian package python3-grammalecte (apt-get install python3-grammalecte)"

# Grammalecte's options for written text that a transcript has no use for: typography, spaces,
# capitals, numbers, hyphens, and the markup modes. Everything grammatical stays on.
OPTIONS_OFF = (
    "typo apos eepi esp tab nbsp tu maj minis num virg poncfin unit nf liga mapos chim ocr date html latex md idrule"
).split()
MAX_ROUNDS = 6  # fixes applied one by one; a learner sentence rarely has more than three mistakes
MAX_SUGGESTIONS = 3
# Errors whose fixes are tried in one round, from the start of the text: bounds the re-checks of a
# long utterance full of mistakes (each round fixes one; the rest are flagged as they stand).
MAX_TRIED_PER_ROUND = 8

SEVERITY = {
    "verb_conjugation": 3,
    "tense": 3,
    "word_order": 3,
    "missing_word": 3,
    "gender_agreement": 2,
    "number": 2,
    "article": 2,
    "preposition": 2,
    "vocabulary": 2,
    "extra_word": 2,
    "other": 2,
    "spelling": 1,
}
_CONTRACTIONS = {"au", "aux", "du", "des"}


def grammalecte_location(search_path: str = DEBIAN_PATH) -> str | None:
    """Where ``grammalecte`` would be loaded from: the environment's own copy, else ``search_path``;
    None when neither has it. Cheap: imports nothing."""
    if "grammalecte" in sys.modules:
        return str(getattr(sys.modules["grammalecte"], "__file__", "") or "grammalecte")
    spec = importlib.util.find_spec("grammalecte")
    if spec is not None and spec.origin:
        return spec.origin
    init = Path(search_path) / "grammalecte" / "__init__.py"
    return str(init) if search_path and init.is_file() else None


def import_grammalecte(search_path: str = DEBIAN_PATH) -> ModuleType:
    """The ``grammalecte`` package, from the environment or from ``search_path`` (Debian's directory),
    without putting that whole directory on ``sys.path``."""
    if "grammalecte" in sys.modules:
        return sys.modules["grammalecte"]
    if importlib.util.find_spec("grammalecte") is not None:
        return importlib.import_module("grammalecte")
    package = Path(search_path) / "grammalecte"
    if not search_path or not (package / "__init__.py").is_file():
        raise EngineUnavailableError(
            f"Grammalecte is not installed: no grammalecte package in this Python nor in {search_path or '(none)'} "
            f"(VIRTULINGO_GRAMMALECTE_PATH); {INSTALL_HINT}"
        )
    spec = importlib.util.spec_from_file_location(
        "grammalecte", package / "__init__.py", submodule_search_locations=[str(package)]
    )
    if spec is None or spec.loader is None:
        raise EngineUnavailableError(f"cannot load Grammalecte from {package}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["grammalecte"] = module  # its submodules import "grammalecte.fr", "grammalecte.graphspell"
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules["grammalecte"]
        raise
    return module


class GrammalecteLexicon:
    """Grammalecte's dictionary and conjugation tables, as ``grammar_rules_fr.Lexicon``."""

    def __init__(self, spell: Any, conj: Any, mfsp: Any) -> None:
        self._spell, self._conj, self._mfsp = spell, conj, mfsp

    def morphs(self, word: str) -> list[str]:
        return list(self._spell.getMorph(word.replace("'", "’"))) if word else []

    def conjugate(self, verb: str, tense: str, who: str) -> str | None:
        try:
            form = self._conj.getConj(verb, tense, who)
        except (KeyError, IndexError):
            return None
        return form or None

    def auxiliary(self, verb: str) -> str | None:
        """From the verb's code in the tables (8th character "e": être, 9th "a" too: both, by use)."""
        code = self._conj.getVtyp(verb)
        if not code or code.endswith("zz") or len(code) < 9:
            return None
        if code[7] == "e":
            return None if code[8] == "a" else "être"
        return "avoir"

    def plural(self, noun: str) -> str | None:
        candidates = list(self._mfsp.getMiscPlural(noun)) if self._mfsp.hasMiscPlural(noun) else []
        candidates.append(noun + "x" if noun.endswith(("au", "eu")) else noun + "s")
        for candidate in candidates:
            if any(re.search(r"/:N[^/]*:[pi]", m) for m in self.morphs(candidate)):
                return str(candidate)
        return None

    def feminine(self, adjective: str, plural: bool) -> str | None:
        forms = self._mfsp.getFemForm(adjective, plural) if self._mfsp.isMasForm(adjective) else []
        return str(forms[0]) if forms else None


@dataclass(frozen=True, slots=True)
class Finding:
    """One error in the current text: a span, the fixes to try (best first), and what it is."""

    start: int
    end: int
    suggestions: tuple[str, ...]
    category: str
    message: str
    rule: str
    primary: bool  # Grammalecte's main action, or one of our rules (an alternative action: False)


@dataclass(frozen=True, slots=True)
class Step:
    original: str
    correction: str
    category: str
    message: str


def _gender_number(morphs: list[str]) -> tuple[set[str], set[str]]:
    genders, numbers = set(), set()
    for morph in morphs:
        tags = morph.split("/")[1] if "/" in morph else morph
        genders |= {g for g in ("m", "f", "e") if f":{g}" in tags.split(":") or f":{g}:" in tags}
        numbers |= {n for n in ("s", "p", "i") if re.search(rf":{n}(?::|$|;)", tags)}
    return genders, numbers


# Determiners and their other gender ("une petite chien" -> "un petit chien").
_DETERMINER_GENDER = {
    "un": "une",
    "une": "un",
    "le": "la",
    "la": "le",
    "mon": "ma",
    "ma": "mon",
    "ton": "ta",
    "ta": "ton",
    "son": "sa",
    "sa": "son",
    "ce": "cette",
    "cette": "ce",
    "quel": "quelle",
    "quelle": "quel",
}


class GrammalecteGrammar(BaseEngine):
    name = "grammalecte"
    role = "grammar"

    def __init__(self, *, executor: EngineExecutor, path: str = DEBIAN_PATH) -> None:
        super().__init__(executor=executor)
        self.path = path
        self._checker: Any = None
        self._options: dict[str, bool] = {}
        self._lexicon: GrammalecteLexicon | None = None
        # Grammalecte keeps its options and caches in module globals: one check at a time.
        self._lock = threading.Lock()
        if grammalecte_location(path) is None:
            self._state = "unavailable"
            self._reason = (
                f"Grammalecte is not installed (no grammalecte package in this Python nor in {path or '(none)'}, "
                f"VIRTULINGO_GRAMMALECTE_PATH); {INSTALL_HINT}"
            )

    def describe(self) -> dict[str, object]:
        return {"path": grammalecte_location(self.path) or ""}

    def supports(self, language: str) -> bool:
        return language == "fr"

    def _load(self) -> None:
        if self._state == "unavailable":  # set in __init__: the package is not there
            raise EngineUnavailableError(self._reason)
        module = import_grammalecte(self.path)
        checker = module.GrammarChecker("fr")
        options = dict(checker.getGCEngine().getOptions())
        options.update(dict.fromkeys(OPTIONS_OFF, False))
        conj = importlib.import_module("grammalecte.fr.conj")
        mfsp = importlib.import_module("grammalecte.fr.mfsp")
        self._lexicon = GrammalecteLexicon(checker.getSpellChecker(), conj, mfsp)
        self._options, self._checker = options, checker

    def _warmup(self) -> None:
        self.check_sync("Ils mange du pain.")

    # --- finding errors ------------------------------------------------------------------------

    def _findings(self, text: str) -> list[Finding]:
        """Grammalecte's errors and our rules' in ``text``. Where both find the same mistake both
        are kept: the sentence they agree on gets two votes in ``correct``."""
        assert self._lexicon is not None
        errors, _spelling = self._checker.getParagraphErrors(text, dOptions=self._options)
        curly = "’" in text
        found: list[Finding] = []
        for error in errors:
            start, end = int(error["nStart"]), int(error["nEnd"])
            original = text[start:end]
            suggestions = tuple(
                s if curly else s.replace("’", "'") for s in list(error.get("aSuggestions") or [])[:MAX_SUGGESTIONS]
            )
            rule = str(error.get("sRuleId", ""))
            category = self._category(error, original, suggestions)
            primary = not re.search(r"_a[2-9]_\d+$", rule)
            found.append(Finding(start, end, suggestions, category, str(error.get("sMessage", "")), rule, primary))
            if category == "gender_agreement" and suggestions:
                found += self._noun_kept(text, start, end, suggestions[0], error)
        found += [
            Finding(edit.start, edit.end, (edit.replacement,), edit.category, edit.explanation, edit.rule, True)
            for edit in grammar_rules_fr.check(text, self._lexicon)
        ]
        return sorted(found, key=lambda f: f.start)

    def _category(self, error: dict[str, Any], original: str, suggestions: tuple[str, ...]) -> str:
        """The taxonomy category of one Grammalecte error, from its option group (``sType``), its
        rule id and, for agreement, what the suggestion changes (gender or number)."""
        kind, rule = str(error.get("sType", "")), str(error.get("sRuleId", ""))
        suggestion = suggestions[0] if suggestions else ""
        if kind == "eleu":  # elision: "je habite" -> "j'habite"
            return "spelling"
        if kind in {"conj", "infi", "imp"}:
            return "verb_conjugation"
        if kind == "vmode":
            return "tense" if "conditionnel" in rule and "si_" in rule else "verb_conjugation"
        if kind == "inte":
            return "word_order"
        if kind in {"gn", "ppas"}:
            return self._agreement_category(original, suggestion)
        if kind == "conf":
            if "auxiliaire" in rule:
                return "verb_conjugation"
            if " " in original.strip() and any(s.lower() in _CONTRACTIONS for s in suggestions):  # "à le" -> "au"
                return "article"
            return "vocabulary"  # a homophone confused ("a"/"à", "ces"/"ses")
        if kind in {"loc", "bs"}:
            return "vocabulary"
        if kind == "pleo":
            return "extra_word"
        if kind == "neg":
            return "missing_word"
        return "other"

    def _agreement_category(self, original: str, suggestion: str) -> str:
        assert self._lexicon is not None
        if not suggestion:
            return "gender_agreement"
        before = _gender_number(self._lexicon.morphs(original.strip()))
        after = _gender_number(self._lexicon.morphs(suggestion.strip()))
        if before[0] and after[0] and not before[0] & after[0] and "e" not in before[0] | after[0]:
            return "gender_agreement"
        if before[1] and after[1] and not before[1] & after[1] and "i" not in before[1] | after[1]:
            return "number"
        return "gender_agreement"

    def _noun_kept(self, text: str, start: int, end: int, suggestion: str, error: dict[str, Any]) -> list[Finding]:
        """When Grammalecte fixes a gender clash by changing the noun ("une petite chien" ->
        "chienne"), the alternative that keeps the noun and changes its determiner and adjectives
        ("un petit chien"), tried before it."""
        assert self._lexicon is not None
        noun = text[start:end]
        morphs = self._lexicon.morphs(noun)
        noun_tags = [m for m in morphs if "/:N" in m]
        if not noun_tags or suggestion == noun or any(":D" in m for m in morphs):  # a determiner's fix is kept
            return []
        genders, numbers = _gender_number(noun_tags)
        if len(genders - {"e"}) != 1:
            return []
        masculine = "m" in genders
        plural = "p" in numbers
        words = list(re.finditer(r"[^\W\d_]+", text[:start]))[-3:]  # the determiner and up to 2 adjectives
        replacements: list[tuple[int, int, str]] = []
        for match in reversed(words):
            word = match.group(0)
            low = word.lower()
            if low in _DETERMINER_GENDER:
                wanted = (
                    _DETERMINER_GENDER[low]
                    if (low in {"une", "la", "ma", "ta", "sa", "cette", "quelle"}) == masculine
                    else low
                )
                replacements.append((match.start(), match.end(), wanted if word.islower() else wanted.capitalize()))
                break
            adjective = [m for m in self._lexicon.morphs(word) if re.search(r"/[^/]*:A(?::|/|$)", m)]
            if not adjective:
                return []
            lemma = adjective[0].lstrip(">").split("/")[0]
            form = (
                (lemma + ("s" if plural and not lemma.endswith(("s", "x")) else ""))
                if masculine
                else self._lexicon.feminine(lemma, plural)
            )
            if not form:
                return []
            replacements.append((match.start(), match.end(), form))
        else:
            return []  # no determiner before the noun: nothing to agree with
        first = min(r[0] for r in replacements)
        fixed = text[first:start]
        for s, e, form in sorted(replacements, reverse=True):
            fixed = fixed[: s - first] + form + fixed[e - first :]
        return [
            Finding(
                first,
                start,
                (fixed,),
                "gender_agreement",
                str(error.get("sMessage", "")),
                str(error.get("sRuleId", "")) + "+noun_kept",
                True,
            )
        ]

    # --- correcting ----------------------------------------------------------------------------

    def correct(self, text: str) -> tuple[str, list[Step], list[Finding]]:
        """The corrected text, the fixes applied in order, and the errors left without a fix.

        A fix may leave as many errors as before when it reveals the next one ("Nous avons allé"
        -> "Nous sommes allé" -> "Nous sommes allés"); of the sentences visited, the one with the
        fewest errors left is the answer (the earliest on a tie)."""
        steps: list[Step] = []
        seen = {text}
        findings = self._findings(text)
        answer = (len(findings), text, list(steps), findings)
        for _ in range(MAX_ROUNDS):
            if not findings:
                break
            # Every sentence one fix away, with the fixes that lead to it (several when sources agree).
            candidates: dict[str, list[tuple[Finding, int, int]]] = {}
            for position, finding in enumerate(findings[:MAX_TRIED_PER_ROUND]):
                for rank, suggestion in enumerate(finding.suggestions):
                    candidate = " ".join((text[: finding.start] + suggestion + text[finding.end :]).split())
                    if candidate not in seen:
                        candidates.setdefault(candidate, []).append((finding, rank, position))
            best: tuple[tuple[int, int, int, int, int], str, Finding, list[Finding]] | None = None
            for candidate, ways in candidates.items():
                left = self._findings(candidate)
                finding, rank, position = min(ways, key=lambda way: (not way[0].primary, way[1], way[2]))
                key = (len(left), -len(ways), 0 if finding.primary else 1, rank, position)
                if best is None or key < best[0]:
                    best = (key, candidate, finding, left)
            if best is None or best[0][0] > len(findings):  # every fix makes the sentence worse
                break
            _key, fixed, finding, findings = best
            suggestion = next(
                s
                for s in finding.suggestions
                if " ".join((text[: finding.start] + s + text[finding.end :]).split()) == fixed
            )
            steps.append(Step(text[finding.start : finding.end], suggestion, finding.category, finding.message))
            text = fixed
            seen.add(text)
            if len(findings) < answer[0]:
                answer = (len(findings), text, list(steps), findings)
        return answer[1], answer[2], answer[3]

    def check_sync(self, utterance: str, *, language: str = "fr", level: str = "A2") -> GrammarResult:
        self.load()
        original = " ".join(utterance.split())
        with self._lock:
            corrected, steps, unfixed = self.correct(original)
        edits = _edits(original, corrected, steps)
        # Found, but not fixed (no suggestion helps, or past MAX_ROUNDS): flagged as it stands, once
        # per mistake (Grammalecte's alternative action on the same clash is not a second one).
        primaries = {re.sub(r"_a\d+_\d+$", "", f.rule) for f in unfixed if f.primary}
        unfixed = [f for f in unfixed if f.primary or re.sub(r"_a\d+_\d+$", "", f.rule) not in primaries]
        for finding in unfixed:
            span = corrected[finding.start : finding.end]
            edits.append(
                GrammarEdit(
                    original=span,
                    correction=span,
                    category=finding.category,
                    explanation=finding.message,
                    severity=SEVERITY.get(finding.category, 2),
                )
            )
        return GrammarResult.from_edits(
            utterance=utterance,
            correction=corrected,
            edits=edits,
            language=language,
            engine=self.name,
            explanation_language="fr",  # Grammalecte's messages and our rules' are French
        )

    async def check(
        self, utterance: str, *, language: str, level: str = "A2", explanation_language: str | None = None
    ) -> GrammarResult:
        if not self.supports(language):
            return GrammarResult.unavailable(
                utterance=utterance, language=language, reason="Grammalecte checks French only"
            )
        await self.ensure_loaded()
        return await self.executor.run(
            lambda: self.check_sync(utterance, language=language, level=level), what="Grammalecte"
        )


# Words (an elided "j'" stays on its word: "j'ai") and punctuation marks, so that an edit is
# "pomme" -> "pommes", not "pomme." -> "pommes.".
_WORDS = re.compile(r"[\w'’-]+|[^\w\s]")


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def _edits(original: str, corrected: str, steps: list[Step]) -> list[GrammarEdit]:
    """The word-level differences between ``original`` and ``corrected``, sentence by sentence
    (a fix never moves words across sentences, and a whole-text diff of repeated sentences can
    align them shifted by one), each with the category and message of the fixes that touched
    its words (the most severe when several did)."""
    before, after = _SENTENCE_END.split(original), _SENTENCE_END.split(corrected)
    if len(before) != len(after):
        before, after = [original], [corrected]
    return [edit for a, b in zip(before, after, strict=True) for edit in _sentence_edits(a, b, steps)]


def _sentence_edits(original: str, corrected: str, steps: list[Step]) -> list[GrammarEdit]:
    before, after = list(_WORDS.finditer(original)), list(_WORDS.finditer(corrected))
    edits: list[GrammarEdit] = []
    matcher = difflib.SequenceMatcher(
        a=[m.group(0).lower() for m in before], b=[m.group(0).lower() for m in after], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        old = original[before[i1].start() : before[i2 - 1].end()] if i2 > i1 else ""
        new = corrected[after[j1].start() : after[j2 - 1].end()] if j2 > j1 else ""
        words = {_bare(w) for w in f"{old} {new}".split()}
        touching = [s for s in steps if words & {_bare(w) for w in f"{s.original} {s.correction}".split()}] or steps
        step = max(touching, key=lambda s: SEVERITY.get(s.category, 2)) if touching else None
        category = step.category if step else "other"
        edits.append(
            GrammarEdit(
                original=old,
                correction=new,
                category=category,
                explanation=step.message if step else "",
                severity=SEVERITY.get(category, 2),
            )
        )
    return edits


def _bare(word: str) -> str:
    return word.lower().strip('.,;:!?…«»"').replace("’", "'")
