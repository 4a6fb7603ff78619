"""Hand-written French rules for learner mistakes that Grammalecte leaves alone, on top of it.

Grammalecte (``grammar_grammalecte``) is written for native writers: it is careful where a word
can be read two ways ("les pomme": *pommer* is a verb; "deux croissant": *croître*) and has no
rule for some constructions that learners get wrong all the time and natives almost never
(a subject pronoun after a preposition, "qu'est-ce que" in an indirect question, the present
after "hier"). Each rule below recognises one such construction from Grammalecte's own
dictionary and conjugation tables (the ``Lexicon``), and proposes one correction.

Precision comes first, as for the English rules: every rule fires on a narrow pattern (pronoun
subjects, small word tables), with the exclusions for the correct look-alikes in the tests
("je les porte", "depuis hier, je suis malade", "je me demande si tu pourrais",
"beaucoup des élèves de ma classe"). The input is a speech transcript: capitals are ignored and
punctuation is only used as a clause boundary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol


class Lexicon(Protocol):
    """What the rules need to know about French words (Grammalecte's dictionary and tables)."""

    def morphs(self, word: str) -> list[str]:
        """Grammalecte's analyses of ``word``, e.g. ``">pomme/:N:f:s/*"``; [] if unknown."""

    def conjugate(self, verb: str, tense: str, who: str) -> str | None:
        """``conjugate("avoir", ":Ip", ":1s") == "ai"``; None if there is no such form."""

    def auxiliary(self, verb: str) -> str | None:
        """ "avoir" or "être" for the compound tenses; None when it depends on the use."""

    def plural(self, noun: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class RuleEdit:
    start: int
    end: int
    original: str
    replacement: str
    category: str
    rule: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower().replace("’", "'")


# A word, with its elision mark ("j'", "qu'": the next word is a token of its own) and its
# hyphenated parts ("dis-moi", "est-ce") kept together.
_TOKEN = re.compile(r"[^\W\d_]+(?:-(?=[^\W\d_])[^\W\d_]+)*['’]?|\d+|[.,;:!?…]", re.UNICODE)
BOUNDARIES = frozenset(".,;:!?…")
VOWELS = frozenset("aeiouéèêëàâäîïôöûüœæ")
# Vowel-initial words that do not take elision ("le onze", "le ouistiti").
NO_ELISION = frozenset({"onze", "onzième", "oui", "ouistiti", "ouate", "uhlan", "ululement"})

SUBJECTS = {
    "je": ":1s",
    "j'": ":1s",
    "tu": ":2s",
    "il": ":3s",
    "elle": ":3s",
    "on": ":3s",
    "nous": ":1p",
    "vous": ":2p",
    "ils": ":3p",
    "elles": ":3p",
}
# Past participle agreement with "être": gender and number of the subject (unknown for je/tu/vous:
# the masculine, as dictionaries write it).
SUBJECT_AGREEMENT = {
    "je": ":m:s",
    "j'": ":m:s",
    "tu": ":m:s",
    "il": ":m:s",
    "on": ":m:s",
    "elle": ":f:s",
    "nous": ":m:p",
    "vous": ":m:p",
    "ils": ":m:p",
    "elles": ":f:p",
}
CLITICS = frozenset(
    "je j' tu il elle on nous vous ils elles ne n' me m' te t' se s' y en lui leur le la l' les".split()
)
CLAUSE_STARTS = frozenset({"et", "mais", "puis", "alors", "ensuite", "donc", "car", "or", "après"})
NUMERALS = frozenset(
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt trente "
    "quarante cinquante soixante cent mille plusieurs quelques".split()
)
MONTHS = frozenset("janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split())
PLURAL_DETERMINERS = frozenset("des mes tes ses nos vos leurs ces les aux".split())
DISJUNCTIVE = {"je": "moi", "tu": "toi", "il": "lui", "ils": "eux"}
PREPOSITIONS = frozenset(
    "avec pour sans chez contre derrière devant entre après avant vers sur sous envers selon comme".split()
)
QUANTITY_ADVERBS = frozenset("beaucoup trop peu assez tant autant combien".split())
# Verbs that introduce an indirect question ("je ne sais pas ce que..."), by infinitive.
INDIRECT_QUESTION_VERBS = frozenset(
    "savoir demander dire comprendre expliquer montrer raconter voir imaginer deviner oublier décider "
    "ignorer écouter regarder entendre répéter écrire".split()
)
# A past moment ("hier", "la semaine dernière", "lundi dernier", "il y a deux jours").
_PAST_MOMENT = re.compile(
    r"\b(?:avant-hier|hier|(?:la semaine|le mois|le week-end|l[’']année|l[’']an|l[’']été|l[’']hiver|"
    r"l[’']automne|le printemps|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) derni(?:er|ère)|"
    r"il y a (?:\w+ )?(?:jours?|semaines?|mois|ans|années?|heures?|minutes?))\b",
    re.IGNORECASE,
)
_PAST_MOMENT_BEFORE = re.compile(f"(?:{_PAST_MOMENT.pattern})[\\s,]*$", re.IGNORECASE)
# "depuis hier" + present is right ("je suis malade depuis hier").
_SINCE_MOMENT = re.compile(r"\b(?:depuis|dès|jusqu[’']à)\s+(?:avant-)?hier\b", re.IGNORECASE)
# Verbs whose present after a past moment is often a narrative or a state (imparfait, not passé
# composé), or an auxiliary / near future ("hier, je suis allé", "hier, je vais" ...): left alone.
# Opinion verbs speak of now ("Hier, j'ai vu un film ; je pense qu'il est bon").
NO_TENSE_RULE_VERBS = frozenset(
    "être avoir aller venir pouvoir vouloir devoir savoir falloir sembler "
    "penser croire trouver espérer connaître".split()
)


def tokens(text: str) -> list[Token]:
    """The words and punctuation of ``text``; a piece of an identifier ("rsa_se") is no word."""
    return [
        Token(m.group(0), m.start(), m.end())
        for m in _TOKEN.finditer(text)
        if text[m.start() - 1 : m.start()] != "_" and text[m.end() : m.end() + 1] != "_"
    ]


def _tags(lex: Lexicon, word: str) -> list[str]:
    found = lex.morphs(word)
    if not found and word[:1].isupper():
        found = lex.morphs(word.lower())
    return found


def _has(lex: Lexicon, word: str, pattern: str) -> bool:
    rx = re.compile(pattern)
    return any(rx.search(m) for m in _tags(lex, word))


def _verb_lemmas(lex: Lexicon, word: str, tense: str = "") -> list[str]:
    """The infinitives ``word`` is a form of (in ``tense`` when given, e.g. ":Ip")."""
    lemmas = []
    for morph in _tags(lex, word):
        lemma, _, rest = morph.lstrip(">").partition("/")
        if rest.startswith(":V") and (not tense or tense + ":" in rest + ":"):
            lemmas.append(lemma)
    return lemmas


def _starts_with_vowel(word: str) -> bool:
    low = word.lower()
    return bool(low) and low[0] in VOWELS and low not in NO_ELISION


def _elide(word: str) -> str:
    """ "je" -> "j'", "que" -> "qu'" (the spoken form before a vowel); keeps the capital."""
    return word[:-1] + "'"


def _clause_start(toks: list[Token], i: int) -> bool:
    """Token ``i`` begins a clause: first token, after punctuation, or after a coordinator."""
    return i == 0 or toks[i - 1].text in BOUNDARIES or toks[i - 1].low in CLAUSE_STARTS


def _edit(text: str, start: int, end: int, replacement: str, category: str, rule: str, why: str) -> RuleEdit:
    return RuleEdit(start, end, text[start:end], replacement, category, rule, why)


# --- the rules -------------------------------------------------------------------------------


def elision(text: str, toks: list[Token], lex: Lexicon) -> Iterator[RuleEdit]:
    """ "de un café" -> "d'un café", "ne aime" -> "n'aime", "la école" -> "l'école" (Grammalecte elides
    "je", "que", "si", "le" but not these). Words in h- are left alone: many take no elision."""
    for a, b in zip(toks, toks[1:], strict=False):
        if a.low not in {"de", "ne", "me", "te", "se", "la"} or not _starts_with_vowel(b.text):
            continue
        if a.low == "la" and not _has(lex, b.text, r":N|:V"):  # "la" + noun, or the pronoun + verb
            continue
        if a.end < len(text) and text[a.end] == " " and b.start == a.end + 1:
            yield _edit(
                text,
                a.start,
                b.start,
                _elide(a.text),
                "spelling",
                "elision",
                f"« {a.text} » s'élide devant une voyelle.",
            )


def number_after_plural_word(text: str, toks: list[Token], lex: Lexicon) -> Iterator[RuleEdit]:
    """A singular noun after a number or a plural determiner: "deux croissant", "a mangé les pomme".
    "les" must be an article, not the object pronoun: never after a subject or another clitic
    ("je les porte")."""
    for i in range(len(toks) - 1):
        det, noun = toks[i], toks[i + 1]
        numeral = det.low in NUMERALS or (det.low.isdigit() and 1 < int(det.low) < 1000)
        if not numeral and det.low not in PLURAL_DETERMINERS:
            continue
        if det.low == "les" and i > 0 and toks[i - 1].low in CLITICS:
            continue
        morphs = _tags(lex, noun.text)
        nouns = [m for m in morphs if re.search(r"/:N(?::[^/]*)?:s(?:/|:|;|$)", m)]
        if not nouns or any(re.search(r"/:N[^/]*:[ip](?:/|:|;|$)", m) for m in morphs):
            continue
        # An infinitive after "les" is the pronoun's verb ("il faut les lire": *lire* is also a noun).
        if noun.low in MONTHS or noun.low in NUMERALS or noun.low[-1:] in {"s", "x", "z"} or ":Y" in "".join(morphs):
            continue
        plural = lex.plural(noun.text)
        if plural and plural != noun.text:
            yield _edit(
                text,
                noun.start,
                noun.end,
                plural,
                "number",
                "number_after_plural_word",
                f"Après « {det.text} », le nom est au pluriel.",
            )


def pronoun_after_preposition(text: str, toks: list[Token], lex: Lexicon) -> Iterator[RuleEdit]:
    """ "avec tu" -> "avec toi": after a preposition, the stressed pronoun. Not when the pronoun is the
    subject of the next verb ("après il part")."""
    for i in range(1, len(toks)):
        prep, pronoun = toks[i - 1], toks[i]
        if prep.low not in PREPOSITIONS or pronoun.low not in DISJUNCTIVE:
            continue
        following = toks[i + 1] if i + 1 < len(toks) else None
        if following is not None and (_verb_lemmas(lex, following.text) or following.low in CLITICS):
            continue
        stressed = DISJUNCTIVE[pronoun.low]
        yield _edit(
            text,
            pronoun.start,
            pronoun.end,
            stressed,
            "other",
            "pronoun_after_preposition",
            f"Après « {prep.text} », on dit « {stressed} ».",
        )


def conditional_after_si(text: str, toks: list[Token], lex: Lexicon) -> Iterator[RuleEdit]:
    """ "Si j'aurais de l'argent" -> "Si j'avais": no conditional after the "si" of a condition. Only a
    "si" that begins a clause: after a verb it asks a question ("je me demande si tu pourrais")."""
    for i in range(len(toks) - 2):
        si, subject, verb = toks[i], toks[i + 1], toks[i + 2]
        if si.low != "si" or subject.low not in SUBJECTS or not _clause_start(toks, i):
            continue
        who = SUBJECTS[subject.low]
        for lemma in _verb_lemmas(lex, verb.text, ":K"):
            imperfect = lex.conjugate(lemma, ":Iq", who)
            if imperfect and lex.conjugate(lemma, ":K", who) == verb.low:
                pronoun = (
                    _elide(subject.text) if subject.low == "je" and _starts_with_vowel(imperfect) else subject.text
                )
                start = subject.start
                sep = "" if pronoun.endswith("'") else " "
                yield _edit(
                    text,
                    start,
                    verb.end,
                    f"{pronoun}{sep}{imperfect}",
                    "tense",
                    "conditional_after_si",
                    "Après « si », on emploie l'imparfait, pas le conditionnel.",
                )
                break


def present_after_past_moment(text: str, toks: list[Token], lex: Lexicon) -> Iterator[RuleEdit]:
    """ "Hier, je mange au restaurant" -> "Hier, j'ai mangé": a finished action at a past moment is in
    the passé composé. Only a pronoun subject at the start of a clause directly followed by its verb in
    the present; never with "depuis hier", and never for the verbs of ``NO_TENSE_RULE_VERBS``
    (states and auxiliaries take the imparfait or are already a compound tense)."""
    if not _PAST_MOMENT.search(text) or _SINCE_MOMENT.search(text):
        return
    for i in range(len(toks) - 1):
        subject, verb = toks[i], toks[i + 1]
        if subject.low not in SUBJECTS or not (
            _clause_start(toks, i) or _PAST_MOMENT_BEFORE.search(text[: subject.start])
        ):
            continue
        who = SUBJECTS[subject.low]
        lemmas = [
            lemma for lemma in _verb_lemmas(lex, verb.text, ":Ip") if lex.conjugate(lemma, ":Ip", who) == verb.low
        ]
        if len(set(lemmas)) != 1 or lemmas[0] in NO_TENSE_RULE_VERBS:
            continue
        lemma = lemmas[0]
        auxiliary = lex.auxiliary(lemma)
        if auxiliary is None:
            continue
        aux = lex.conjugate(auxiliary, ":Ip", who)
        agreement = SUBJECT_AGREEMENT[subject.low] if auxiliary == "être" else ":m:s"
        participle = lex.conjugate(lemma, ":Q", agreement) or lex.conjugate(lemma, ":Q", ":m:s")
        if not aux or not participle:
            continue
        pronoun = subject.text[0] + "e" if subject.low == "j'" else subject.text
        pronoun = _elide(pronoun) if pronoun.lower() == "je" and _starts_with_vowel(aux) else pronoun
        sep = "" if pronoun.endswith("'") else " "
        yield _edit(
            text,
            subject.start,
            verb.end,
            f"{pronoun}{sep}{aux} {participle}",
            "tense",
            "present_after_past_moment",
            "Pour une action terminée dans le passé, on emploie le passé composé.",
        )


def indirect_question(text: str, toks: list[Token], lex: Lexicon) -> Iterator[RuleEdit]:
    """ "Je ne sais pas qu'est-ce que tu veux" -> "ce que tu veux": an indirect question has no
    "est-ce". Only after a verb of knowing, asking or saying in the three words before."""
    for i in range(len(toks) - 2):
        if toks[i].low != "qu'" or toks[i + 1].low != "est-ce" or toks[i + 2].low not in {"que", "qu'", "qui"}:
            continue
        before = toks[max(0, i - 3) : i]
        if not before or any(t.text in BOUNDARIES for t in before[-1:]):
            continue
        if not any(
            lemma in INDIRECT_QUESTION_VERBS for t in before for lemma in _verb_lemmas(lex, t.text.split("-")[0])
        ):
            continue
        last = toks[i + 2]
        replacement = "ce " + last.text
        yield _edit(
            text,
            toks[i].start,
            last.end,
            replacement,
            "word_order",
            "indirect_question",
            "Dans une question indirecte, on dit « ce que » ou « ce qui », sans « est-ce ».",
        )


def de_after_quantity(text: str, toks: list[Token], lex: Lexicon) -> Iterator[RuleEdit]:
    """ "beaucoup des gens" -> "beaucoup de gens", "je n'ai pas des pommes" -> "pas de pommes": after a
    quantity or a negation, "de" alone. Not when the noun is then made definite by a complement
    ("beaucoup des élèves de ma classe"), not after "être" ("ce ne sont pas des pommes"), not in
    "pas du tout"."""
    for i in range(1, len(toks) - 2):
        word, article, noun = toks[i - 1], toks[i], toks[i + 1]
        if article.low not in {"des", "du"}:
            continue
        if word.low in QUANTITY_ADVERBS:
            pass
        elif word.low in {"pas", "plus", "jamais"}:
            verbs = [t for t in toks[max(0, i - 4) : i - 1] if _verb_lemmas(lex, t.text)]
            negated = any(t.low in {"ne", "n'"} for t in toks[max(0, i - 4) : i - 1])
            if not negated or not verbs or any("être" in _verb_lemmas(lex, t.text) for t in verbs):
                continue
        else:
            continue
        if noun.low == "tout" or not _has(lex, noun.text, r"/:N"):
            continue
        after = toks[i + 2] if i + 2 < len(toks) else None
        if after is not None and after.low in {"de", "d'", "du", "des", "que", "qu'", "qui", "dont"}:
            continue
        replacement = "d'" if _starts_with_vowel(noun.text) else "de"
        end = noun.start if replacement == "d'" else article.end
        yield _edit(
            text,
            article.start,
            end,
            replacement,
            "article",
            "de_after_quantity",
            f"Après « {word.text} », on emploie « de » sans article.",
        )


def contraction(text: str, toks: list[Token], lex: Lexicon) -> Iterator[RuleEdit]:
    """ "à le marché" -> "au marché", "de les tomates" -> "des tomates". Not before an infinitive, where
    "le"/"les" is a pronoun ("de le faire")."""
    merged = {("à", "le"): "au", ("à", "les"): "aux", ("de", "le"): "du", ("de", "les"): "des"}
    for i in range(len(toks) - 2):
        a, b, noun = toks[i], toks[i + 1], toks[i + 2]
        replacement = merged.get((a.low, b.low))
        if replacement is None or not _has(lex, noun.text, r"/:[NA]") or _has(lex, noun.text, r":Y"):
            continue
        if a.text[:1].isupper():
            replacement = replacement.capitalize()
        yield _edit(
            text,
            a.start,
            b.end,
            replacement,
            "article",
            "contraction",
            f"« {a.text} {b.text} » se contracte en « {replacement} ».",
        )


Rule = Callable[[str, list[Token], Lexicon], Iterator[RuleEdit]]
# Priority order: where two edits overlap, the earlier rule wins.
RULES: list[Rule] = [
    present_after_past_moment,
    conditional_after_si,
    indirect_question,
    contraction,
    de_after_quantity,
    pronoun_after_preposition,
    number_after_plural_word,
    elision,
]


def check(text: str, lex: Lexicon) -> list[RuleEdit]:
    """Every rule edit for ``text``, without overlaps (the earlier rule wins), in text order."""
    toks = tokens(text)
    chosen: list[RuleEdit] = []
    for rule in RULES:
        for edit in rule(text, toks, lex):
            if edit.replacement != edit.original and not any(
                edit.start < other.end and other.start < edit.end for other in chosen
            ):
                chosen.append(edit)
    return sorted(chosen, key=lambda e: e.start)
