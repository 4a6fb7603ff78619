"""Hand-written English grammar rules for typical learner mistakes, on top of Harper.

Harper (``grammar_harper``) is a general linter: it misses many mistakes that learners of
English make all the time ("Yesterday I eat", "Does he likes", "I am agree", "people is",
"I am student", "Where I can find...?"), and for a few it proposes a wrong correction
("She writed" -> "She written", "Where you live?" -> "Were you live?"). Each rule below
recognises one such construction and proposes one correction.

Precision comes first: a learner is hurt more by a wrong correction than by a missed one.
So every rule fires only on a narrow pattern (pronoun subjects rather than any noun phrase,
small word tables rather than guesses) and has explicit exclusions for the correct sentences
that look like the mistake (each is in the tests). The input is a speech transcript: capitals
are ignored, punctuation is used only as a clause boundary when present, and the question
rules need the final "?" that Whisper writes.

``check(text)`` returns non-overlapping ``RuleEdit``s (character spans of ``text``) in text
order; when two rules claim overlapping words, the one earlier in ``RULES`` wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- verbs -----------------------------------------------------------------------------------

# Irregular verbs: base -> (simple past, past participle).
IRREGULAR: dict[str, tuple[str, str]] = {
    "be": ("was", "been"), "have": ("had", "had"), "do": ("did", "done"), "go": ("went", "gone"),
    "say": ("said", "said"), "make": ("made", "made"), "get": ("got", "got"), "know": ("knew", "known"),
    "think": ("thought", "thought"), "take": ("took", "taken"), "see": ("saw", "seen"),
    "come": ("came", "come"), "give": ("gave", "given"), "find": ("found", "found"), "tell": ("told", "told"),
    "become": ("became", "become"), "leave": ("left", "left"), "feel": ("felt", "felt"),
    "bring": ("brought", "brought"), "begin": ("began", "begun"), "keep": ("kept", "kept"),
    "hold": ("held", "held"), "write": ("wrote", "written"), "stand": ("stood", "stood"),
    "hear": ("heard", "heard"), "let": ("let", "let"), "mean": ("meant", "meant"), "set": ("set", "set"),
    "meet": ("met", "met"), "run": ("ran", "run"), "pay": ("paid", "paid"), "sit": ("sat", "sat"),
    "speak": ("spoke", "spoken"), "lead": ("led", "led"), "read": ("read", "read"), "grow": ("grew", "grown"),
    "lose": ("lost", "lost"), "fall": ("fell", "fallen"), "send": ("sent", "sent"), "build": ("built", "built"),
    "understand": ("understood", "understood"), "draw": ("drew", "drawn"), "break": ("broke", "broken"),
    "spend": ("spent", "spent"), "cut": ("cut", "cut"), "drive": ("drove", "driven"), "buy": ("bought", "bought"),
    "wear": ("wore", "worn"), "choose": ("chose", "chosen"), "eat": ("ate", "eaten"), "drink": ("drank", "drunk"),
    "swim": ("swam", "swum"), "sing": ("sang", "sung"), "sleep": ("slept", "slept"), "teach": ("taught", "taught"),
    "catch": ("caught", "caught"), "fight": ("fought", "fought"), "throw": ("threw", "thrown"),
    "fly": ("flew", "flown"), "forget": ("forgot", "forgotten"), "forgive": ("forgave", "forgiven"),
    "hide": ("hid", "hidden"), "ride": ("rode", "ridden"), "sell": ("sold", "sold"), "shake": ("shook", "shaken"),
    "shut": ("shut", "shut"), "steal": ("stole", "stolen"), "win": ("won", "won"), "wake": ("woke", "woken"),
    "lend": ("lent", "lent"), "hurt": ("hurt", "hurt"), "put": ("put", "put"), "cost": ("cost", "cost"),
    "hit": ("hit", "hit"), "quit": ("quit", "quit"), "blow": ("blew", "blown"), "feed": ("fed", "fed"),
    "bite": ("bit", "bitten"), "dig": ("dug", "dug"), "shoot": ("shot", "shot"), "show": ("showed", "shown"),
    "tear": ("tore", "torn"), "freeze": ("froze", "frozen"), "deal": ("dealt", "dealt"), "ring": ("rang", "rung"),
    "forbid": ("forbade", "forbidden"), "seek": ("sought", "sought"), "sweep": ("swept", "swept"),
    "bend": ("bent", "bent"), "spread": ("spread", "spread"), "bet": ("bet", "bet"), "light": ("lit", "lit"),
}
# Common regular verbs (everyday conversation).
REGULAR = words(
    """like love hate want need live work play watch listen walk talk visit cook clean study try stay start finish
    open close help call ask answer use arrive travel wait look enjoy prefer decide hope plan learn change move dance
    smile laugh cry carry hurry worry stop shop jump climb rain snow happen seem remember believe agree disagree
    explain describe order pick pass kiss miss wash fix mix push pull touch reach search relax borrow return turn
    fill share check improve practise practice prepare receive deliver invite join marry offer own paint print
    promise rent repeat reply save serve sign suggest thank trust wonder allow appear belong continue count cover
    create dress drop enter expect fail follow guess imagine include increase introduce kill knock manage mention
    mind notice pack pray pretend produce protect provide realise realize recommend refuse remain remind report
    shout solve spell taste tend tidy treat vote warn waste wish complain compare consider contain control copy
    correct cough depend destroy develop die discover earn encourage escape exist fold greet hug ignore inform
    insist interrupt invent lift lock measure melt obey occur pause perform plant point pour prevent pronounce
    prove punish raise recognise recognize reduce regret rely remove repair replace rescue respect retire rob rush
    scream select settle shave smell smoke sneeze sound stare step store suffer support suppose surprise switch
    translate type wander wave welcome whisper yell text email phone chat sail skate surf hike bake fry boil
    celebrate cycle jog rest collect accept admire admit attack attend avoid bathe behave book brush calm care
    cheat chew clap comb confuse cross dream drown dry fetch fit float form frighten hunt kick land last mark
    matter nod note park post program queue race record"""
)
# Verbs that double their last consonant before -ed.
DOUBLING = words("stop shop plan drop chat jog hug rob skip step grab nod beg rub prefer regret admit occur fit")
DOUBLING |= {"control"}
VOWELS = "aeiou"


def third_person(base: str) -> str:
    """The -s form: go -> goes, watch -> watches, study -> studies, have -> has."""
    special = {"be": "is", "have": "has", "do": "does", "go": "goes"}
    if base in special:
        return special[base]
    if base.endswith(("s", "sh", "ch", "x", "z", "o")):
        return base + "es"
    if base.endswith("y") and base[-2:-1] not in ("", *VOWELS):
        return base[:-1] + "ies"
    return base + "s"


def regular_past(base: str) -> str:
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and base[-2] not in VOWELS:
        return base[:-1] + "ied"
    if base in DOUBLING:
        return base + base[-1] + "ed"
    return base + "ed"


def past(base: str) -> str:
    return IRREGULAR[base][0] if base in IRREGULAR else regular_past(base)


def participle(base: str) -> str:
    return IRREGULAR[base][1] if base in IRREGULAR else regular_past(base)


ALL_VERBS = (REGULAR | frozenset(IRREGULAR)) - {"be"}
# Every form of every known verb: form -> {(base, kind)}, kind in base / s3 / past / pp.
VERB_FORMS: dict[str, set[tuple[str, str]]] = {}
for _base in ALL_VERBS:
    _forms = {"base": _base, "s3": third_person(_base), "past": past(_base), "pp": participle(_base)}
    for _kind, _form in _forms.items():
        VERB_FORMS.setdefault(_form, set()).add((_base, _kind))
# Verbs whose past is their base form: after "it", "cost" may be a past ("it cost a lot").
SAME_PAST = frozenset(b for b in ALL_VERBS if past(b) == b)


def base_of(word: str, kinds: tuple[str, ...]) -> str | None:
    """The base of ``word`` if it is one of ``kinds`` of a known verb and not itself a base form."""
    return next((b for b, kind in VERB_FORMS.get(word, ()) if kind in kinds and word != b), None)


def present_base(word: str) -> str | None:
    """The base of ``word`` if it is a present form (base or -s) of a known verb."""
    return next((b for b, kind in VERB_FORMS.get(word, ()) if kind in {"base", "s3"}), None)


def is_base(word: str) -> bool:
    return any(kind == "base" for _b, kind in VERB_FORMS.get(word, ()))


NOT_ING = words("something anything nothing everything morning evening")


def is_ing(word: str) -> bool:
    return len(word) > 4 and word.endswith("ing") and word not in NOT_ING


def overregularized() -> dict[str, str]:
    """Regular pasts that learners give irregular verbs ("goed", "buyed", "runned") -> the base verb."""
    table: dict[str, str] = {}
    for base in set(IRREGULAR) - {"be"}:
        table[base + "d" if base.endswith("e") else base + "ed"] = base
        if len(base) >= 3 and base[-1] not in VOWELS + "wy" and base[-2] in VOWELS and base[-3] not in VOWELS:
            table[base + base[-1] + "ed"] = base  # runned, swimmed, sitted
    table["flyed"] = "fly"
    # Real words that look like a wrong past: leave them alone.
    for word in words("lighted bended ringed costed singed waked wined showed betted quitted putted leaded sited seed"):
        table.pop(word, None)
    table.pop("teared", None)
    return table


OVERREGULARIZED = overregularized()

BE_FORMS = words("am is are was were be been being")
MODALS = words("can could will would shall should may might must can't cannot couldn't won't wouldn't shouldn't")
MODALS |= {"mustn't"}
DO_NEGATIVE = words("don't doesn't didn't")
AUXILIARIES = MODALS | DO_NEGATIVE
BE_FOR = {"1s": "am", "3s": "is", "pl": "are"}
# Verbs of thinking: "Yesterday I think it rained" is right, so the tense rules leave them alone.
COGNITIVE = words("think guess believe suppose mean hope know remember forget wonder bet reckon")
# After these, a subject takes a bare verb: "let it go", "I saw him leave", "does he go".
CAUSATIVES = words(
    """let lets make makes made making help helps helped helping see sees saw seen watch watches watched hear hears
    heard feel feels felt have has had"""
)
# A "that" clause after these takes the subjunctive base form: "I suggest (that) he go".
MANDATIVE = words(
    """suggest suggests suggested insist insists insisted demand demands demanded recommend recommends recommended
    require requires required request requested propose proposed important essential vital necessary"""
)

# --- other words -----------------------------------------------------------------------------

SUBJECTS = {"i": "1s", "you": "pl", "he": "3s", "she": "3s", "it": "3s", "we": "pl", "they": "pl"}  # -> person
NOMINATIVE = words("i he she we they")  # never objects
DETERMINERS = words("the a an this that these those my your his her its our their some any no every each")
POSSESSIVES = words("my your his her our their the")
PREPOSITIONS = words(
    """about above across after against along among around at before behind below beside between by down during for
    from in inside into near of off on onto out over past since through to toward towards under until up upon with
    within without than like"""
)
# Words after which a new clause (and so a subject) may start.
CLAUSE_WORDS = words(
    """and but so because or if when then that while although though until unless whether where why how what who
    which since after before once think thought know knew hope guess believe said say says sure mean"""
)
# Adverbs that may stand between a subject and its verb.
MID_ADVERBS = words("always usually often sometimes never also really still just only even rarely seldom normally ever")

TIME_UNITS = words("second seconds minute minutes hour hours day days week weeks month months year years decade")
TIME_UNITS |= {"decades"}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
DAYS = words("monday tuesday wednesday thursday friday saturday sunday")
MONTHS = words("january february march april may june july august september october november december")

# Common countable nouns: singular -> plural.
COUNT_NOUNS: dict[str, str] = {
    noun: noun + "s"
    for noun in """day week month year hour minute friend book apple car house student teacher thing place room shop
    store street school class lesson word problem idea game song film movie picture photo letter cake egg orange
    banana bottle cup bag dog cat animal flower tree chair table window door key phone computer ticket train bike
    boy girl brother sister parent grandparent kid son daughter cousin neighbour neighbor colleague customer
    restaurant hotel museum language job shoe shirt hat coat croissant cookie biscuit""".split()
}
COUNT_NOUNS |= {
    "sandwich": "sandwiches", "tomato": "tomatoes", "potato": "potatoes", "glass": "glasses", "box": "boxes",
    "bus": "buses", "city": "cities", "country": "countries", "story": "stories", "person": "people",
    "child": "children", "man": "men", "woman": "women", "family": "families", "baby": "babies",
    "party": "parties", "loaf": "loaves", "knife": "knives", "foot": "feet", "tooth": "teeth",
}
PLURAL_TO_SINGULAR = {plural: singular for singular, plural in COUNT_NOUNS.items()}
PLURAL_ONLY = words("people children")
# Nouns with no plural: learners say "informations", "many advices", "a bread".
UNCOUNTABLE = words(
    """information advice furniture luggage baggage homework knowledge equipment bread money music traffic news
    research evidence weather progress rice sugar milk water feedback software"""
)
# Plurals learners make of them ("waters", "breads", "moneys" exist, so they are not here).
WRONG_PLURALS = {w + "s": w for w in words("information advice furniture luggage baggage homework knowledge equipment")}
# Jobs and roles, which take "a": "I am a student".
ROLES = words(
    """student teacher doctor nurse engineer lawyer waiter waitress cook chef baker butcher driver farmer artist actor
    actress singer dancer writer journalist programmer developer designer architect scientist accountant manager
    secretary pilot soldier dentist pharmacist mechanic plumber electrician cashier salesman businessman
    businesswoman housewife tourist foreigner beginner musician photographer translator interpreter receptionist
    hairdresser cleaner builder policeman policewoman firefighter professor child kid baby boy girl teenager"""
)
# People a learner talks about: "my sister", "our teacher".
PERSON_NOUNS = words(
    """sister brother mother father mum mom dad friend teacher boss husband wife son daughter boyfriend girlfriend
    neighbour neighbor cousin uncle aunt grandmother grandfather grandma grandpa colleague doctor partner"""
)
# Adjectives with -er/-est forms, and others that learners put after "very".
SHORT_ADJECTIVES = words(
    """tall short big small cheap old young new nice fast slow easy hard happy busy early late long high low large hot
    cold warm cool strong weak rich poor fat thin quick clean clear close dark deep fresh friendly funny great heavy
    light loud lucky pretty quiet safe sad simple smart soft sweet tasty tiny ugly wide wise wet dry dirty healthy
    lazy crazy angry hungry thirsty brave calm cute fine kind proud rude sick wild bright good bad"""
)
ADJECTIVES = SHORT_ADJECTIVES | words(
    """beautiful expensive interesting boring tired delicious important difficult different dangerous famous excited
    exciting bored surprised worried nervous sorry careful comfortable crowded popular intelligent handsome ill full
    empty far near ready sure"""
)


# --- sentences -------------------------------------------------------------------------------

WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
BOUNDARY = re.compile(r"[.!?;:,\"()]")


@dataclass(frozen=True, slots=True)
class RuleEdit:
    start: int  # character span in the checked text
    end: int
    original: str
    replacement: str
    category: str  # from the taxonomy of shared/grammar_eval/README.md
    explanation: str
    rule: str


class Sentence:
    """The words of the checked text (``low``: lower case, straight apostrophes) and helpers over them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches = list(WORD.finditer(text))
        self.low = [m.group().lower().replace("’", "'") for m in self.matches]
        self.n = len(self.matches)
        self.question = text.rstrip().endswith("?")

    def word(self, i: int) -> str:
        """The lower-case word at ``i`` ("" out of range)."""
        return self.low[i] if 0 <= i < self.n else ""

    def original(self, i: int) -> str:
        return self.matches[i].group()

    def span_text(self, i: int, j: int) -> str:
        return self.text[self.matches[i].start() : self.matches[j].end()]

    def boundary_before(self, i: int) -> bool:
        """Punctuation (or the start or end of the text) comes before word ``i``."""
        if i <= 0 or i >= self.n:
            return True
        return bool(BOUNDARY.search(self.text[self.matches[i - 1].end() : self.matches[i].start()]))

    def boundary_after(self, i: int) -> bool:
        return self.boundary_before(i + 1)

    def joined(self, i: int, j: int) -> bool:
        """Words i..j exist and follow each other with no punctuation between them."""
        return 0 <= i <= j < self.n and not any(self.boundary_before(k) for k in range(i + 1, j + 1))

    def is_(self, i: int, *phrase: str) -> bool:
        """The words from ``i`` are ``phrase``."""
        return self.low[max(i, 0) : i + len(phrase)] == list(phrase) and i >= 0 and self.joined(i, i + len(phrase) - 1)

    def clause_start(self, i: int) -> bool:
        return self.boundary_before(i) or self.word(i - 1) in CLAUSE_WORDS

    def edit(self, i: int, j: int, replacement: str, category: str, why: str, rule: str) -> RuleEdit:
        """An edit of words i..j (inclusive); the replacement keeps the original's leading capital."""
        start, end = self.matches[i].start(), self.matches[j].end()
        original = self.text[start:end]
        if original[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        elif not (replacement == "I" or replacement.startswith(("I ", "I'"))):
            replacement = replacement[:1].lower() + replacement[1:]
        return RuleEdit(start, end, original, replacement, category, why, rule)


def a_or_an(word: str) -> str:
    return "an" if word[:1].lower() in VOWELS and not word.lower().startswith(("uni", "use", "eu", "one")) else "a"


Rule = Callable[[Sentence], Iterator[RuleEdit]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    """Register a rule; the order of registration is the priority order."""
    RULES.append(fn)
    return fn


# --- rules: verbs after "be" -------------------------------------------------------------------

CONTRACTED_BE = {"i'm": ("I", "am"), "you're": ("you", "are"), "we're": ("we", "are"), "they're": ("they", "are"),
                 "he's": ("he", "is"), "she's": ("she", "is")}


@rule
def be_agree(s: Sentence) -> Iterator[RuleEdit]:
    """"I am agree" -> "I agree": "agree" is a verb, not an adjective (Spanish "estoy de acuerdo")."""
    for i in range(s.n):
        w = s.word(i)
        if w in CONTRACTED_BE:
            subject, be = CONTRACTED_BE[w]
            subject = s.original(i)[: len(subject)] + " "
        elif w in {"am", "is", "are", "was", "were"}:
            subject, be = "", w
        else:
            continue
        k = i + 1
        negative = s.word(k) == "not"
        k += negative
        adverb = s.original(k) + " " if s.word(k) in words("totally completely fully absolutely really also") else ""
        k += bool(adverb)
        verb = s.word(k)
        if verb not in {"agree", "disagree"} or not s.joined(i, k):
            continue
        tense = "past" if be in {"was", "were"} else "s3" if be == "is" else "base"
        if negative:  # "I am not agree" -> "I don't agree"
            do = {"past": "didn't", "s3": "doesn't", "base": "don't"}[tense]
            new = f"{do} {adverb}{verb}"
        else:
            new = adverb + {"past": past, "s3": third_person, "base": str}[tense](verb)
        yield s.edit(i, k, subject + new, "extra_word", f'"{verb}" is a verb: "I {verb}", not "I am {verb}".',
                     "be_agree")


# --- rules: tenses ---------------------------------------------------------------------------

LAST_WHAT = DAYS | MONTHS | words("week month year night weekend summer winter spring autumn fall time christmas")
LAST_NOT_AFTER = words("the this my at")  # "the last week of June", "my last week here", "at last I"
AGO_AMOUNTS = words("a an few several many couple of some long")
# A time phrase after these is not the time of the verb: "since yesterday", "as last time", "than last year".
TIME_PREPOSITIONS = words("since from until till than as of like about before after for on by")


def past_time(s: Sentence, i: int) -> int:
    """The number of words of a finished-past time phrase starting at word ``i`` (0 if none).

    "yesterday (morning)", "the day before yesterday", "last week/Monday/...", "two days ago".
    """
    w = s.word(i)
    if w == "yesterday":
        return 2 if s.word(i + 1) in words("morning afternoon evening night") and s.joined(i, i + 1) else 1
    if s.is_(i, "the", "day", "before", "yesterday"):
        return 4
    if w == "last" and s.word(i + 1) in LAST_WHAT and s.joined(i, i + 1) and s.word(i - 1) not in LAST_NOT_AFTER:
        return 2
    for length in (2, 3, 4):  # "two days ago", "a few weeks ago", "a long time ago", "a couple of years ago"
        if s.word(i + length) == "ago" and s.joined(i, i + length):
            *amount, unit = s.low[i : i + length]
            if (unit in TIME_UNITS or unit == "while" or amount[-1:] == ["long"] and unit == "time") and all(
                w.isdigit() or w in NUMBER_WORDS or w in AGO_AMOUNTS for w in amount
            ):
                return length + 1
    return 0


def next_past_time(s: Sentence, start: int) -> int | None:
    """The first finished-past time phrase from word ``start`` that is not after a preposition."""
    return next((m for m in range(start, s.n) if past_time(s, m) and s.word(m - 1) not in TIME_PREPOSITIONS), None)


def to_past(s: Sentence, i: int, person: str) -> str | None:
    """The simple past of the present-tense verb at word ``i`` (None if it is not one, or is left alone)."""
    w = s.word(i)
    if w in {"am", "is", "are"}:
        return "were" if person == "pl" else "was"
    if w in {"don't", "doesn't"}:
        return "didn't"
    base = present_base(w)
    if base is None or base in COGNITIVE or base in SAME_PAST:
        return None
    if base == "have" and (base_of(s.word(i + 1), ("pp",)) or s.word(i + 1) in {"been", "had"}):
        return None  # a present perfect: perfect_with_past_time's business
    if base == "use" and s.word(i + 1) == "to":
        return "used"  # "When I was young I use to..." -> "used to"
    return past(base)


@rule
def perfect_with_past_time(s: Sentence) -> Iterator[RuleEdit]:
    """"I have seen it last week" -> "I saw it last week": a finished time takes the simple past."""
    contracted = {"i've": "i", "you've": "you", "we've": "we", "they've": "they"}
    for i in range(s.n - 1):
        if s.word(i) in contracted:
            subject, k = contracted[s.word(i)], i + 1
        elif s.word(i) in SUBJECTS and s.word(i + 1) == ("has" if SUBJECTS[s.word(i)] == "3s" else "have"):
            subject, k = s.word(i), i + 2
        else:
            continue
        person = SUBJECTS[subject]
        verb = s.word(k)
        if verb == "been":  # "I've been to Rome last year" -> "I went"; "we have been busy" -> "we were"
            new = "went" if s.word(k + 1) == "to" else ("were" if person == "pl" else "was")
        else:
            base = base_of(verb, ("pp", "past"))
            if base is None or base in COGNITIVE:
                continue  # (also "I have never seen it...": no finished time in mind)
            new = past(base)
        marker = next_past_time(s, k + 1)
        if marker is None or not s.joined(i, marker) or any(
            s.word(m) in CLAUSE_WORDS - {"that"} or s.word(m) in SUBJECTS or s.word(m) in VERB_FORMS
            or s.word(m) in BE_FORMS | AUXILIARIES for m in range(k + 1, marker)
        ):
            continue  # the time phrase belongs to another verb: "I have finished the report I sent last week"
        when = s.span_text(marker, marker + past_time(s, marker) - 1)
        yield s.edit(i, k, s.original(i)[: len(subject)] + " " + new, "tense",
                     f'With a finished time ("{when}"), use the simple past, not the present perfect.',
                     "perfect_with_past_time")


def since_point(s: Sentence, i: int) -> bool:
    """Word ``i`` is "since" followed by a point in time: 2019, Monday, March, yesterday, last week."""
    if s.word(i) != "since" or not s.joined(i, i + 1):
        return False
    nxt = s.word(i + 1)
    if re.fullmatch(r"(19|20)\d\d", nxt) or nxt in DAYS | MONTHS | words("yesterday then morning childhood last"):
        return True
    return nxt == "this" and s.word(i + 2) in words("morning week month year")


def since_duration(s: Sentence, i: int) -> bool:
    """Word ``i`` is "since" followed by a duration ("since three weeks", "since a long time"): "for" is meant."""
    if s.word(i) != "since":
        return False
    for length in (1, 2, 3):  # "since ages", "since two years", "since a few days", "since a long time"
        *amount, unit = s.low[i + 1 : i + 1 + length] or [""]
        if s.joined(i, i + length) and (
            unit in TIME_UNITS and amount and all(w.isdigit() or w in NUMBER_WORDS or w in AGO_AMOUNTS for w in amount)
            or unit == "ages" and not amount or amount == ["a", "long"] and unit == "time"
        ) and s.word(i + 1 + length) != "ago":  # ("since two years ago" is another mistake)
            return True
    return False


PERFECT_OF_CONTRACTION = {"i'm": "'ve", "you're": "'ve", "we're": "'ve", "they're": "'ve", "he's": "'s", "she's": "'s"}


def perfect_of(s: Sentence, k: int) -> tuple[int, str] | None:
    """The present perfect of the present verb at word ``k`` with its subject: (first word, new words).

    "I am living" -> "I have been living", "I'm here" -> "I've been here", "she knows" -> "has known".
    """
    verb, be, subject = s.word(k), s.word(k - 1), s.word(k - 2)
    if is_ing(verb) or verb in {"here", "there"}:  # "I am living (here)", "I am here"
        if be in PERFECT_OF_CONTRACTION and s.joined(k - 1, k) and s.clause_start(k - 1):
            pronoun = re.split("['’]", s.original(k - 1))[0]
            return k - 1, f"{pronoun}{PERFECT_OF_CONTRACTION[be]} been {s.original(k)}"
        if subject in SUBJECTS and be == BE_FOR[SUBJECTS[subject]] and s.joined(k - 2, k) and s.clause_start(k - 2):
            have = "has" if SUBJECTS[subject] == "3s" else "have"
            return k - 2, f"{s.original(k - 2)} {have} been {s.original(k)}"
        return None
    # "I live here since 2019", "she know(s) him since 2010": base or -s form, the fix is the same.
    subject, base = s.word(k - 1), present_base(verb)
    if subject not in SUBJECTS or not s.joined(k - 1, k) or not s.clause_start(k - 1) or base is None \
            or base in {"have", "do"} or base in COGNITIVE - {"know"}:
        return None
    return k, ("has " if SUBJECTS[subject] == "3s" else "have ") + participle(base)


@rule
def present_with_since(s: Sentence) -> Iterator[RuleEdit]:
    """"I am living here since 2019" -> "I have been living"; "I know him since 2010" -> "I have known";
    "I live here since two years" -> "I have lived here for two years".

    "since" + a point in time needs the present perfect; a duration takes "for". Not "since" =
    because ("since it is raining").
    """
    for i in range(s.n):
        duration = since_duration(s, i)
        if not duration and not since_point(s, i):
            continue
        # Walk back over at most three object or place words ("here", "in London", "him") to the verb.
        k = i - 1
        while k > 0 and i - k <= 4 and s.joined(k, i) and not (
            s.word(k) in VERB_FORMS or s.word(k) in BE_FORMS | AUXILIARIES or is_ing(s.word(k))
            or s.word(k) in SUBJECTS or s.word(k) in CLAUSE_WORDS
            or s.word(k) in {"here", "there"} and s.word(k - 1) in BE_FORMS | set(PERFECT_OF_CONTRACTION)
        ):
            k -= 1
        found = perfect_of(s, k) if k > 0 and s.joined(k, i) else None
        if found is None:
            continue
        first, new = found
        if duration:  # the edit runs to "since", which becomes "for"
            middle = s.span_text(k + 1, i - 1) + " " if k + 1 < i else ""
            yield s.edit(first, i, f"{new} {middle}for", "tense",
                         'For a duration up to now, use the present perfect with "for" ("I have lived here for '
                         'two years").', "present_with_since")
        else:
            yield s.edit(first, k, new, "tense", f'With "since" + a point in time, use the present perfect: "{new}".',
                         "present_with_since")


# "if"/"when" after these starts an indirect question, which may have "will": "I don't know if it will rain".
WHETHER_WORDS = words(
    """ask asks asked know knows knew wonder wonders wondered sure check checks checked see sees tell decide doubt
    unsure idea question understand remember find out whether"""
)
TIME_CONJUNCTIONS = words("if when once until before after")
# "if you will help me" means "if you are willing to": not a mistake.
WILLING = words("help come excuse follow allow let wait listen join forgive accept agree sit")


def _elsewhere(s: Sentence, first: int, last: int, auxiliaries: frozenset[str]) -> bool:
    """An auxiliary (or its contraction, "I'll") is in the sentence outside words first..last."""
    contractions = tuple(a for a in auxiliaries if a.startswith("'"))
    return any(
        s.word(m) in auxiliaries or s.word(m).endswith(contractions) for m in range(s.n) if not first <= m <= last
    )


@rule
def will_in_condition(s: Sentence) -> Iterator[RuleEdit]:
    """"I will buy it if it will be cheap" -> "if it is cheap"; "If I would have money, I would..." -> "If I had".

    A condition or a time clause about the future takes the present ("I'll call you when I arrive"),
    an unreal condition the past. Only when the other clause has "will"/"would" (so this is a
    conditional), and not in an indirect question ("Tell me when you will come").
    """
    for i in range(s.n - 3):
        conjunction = "as soon as" if s.is_(i - 2, "as", "soon", "as") else s.word(i)
        subject, aux, verb = s.word(i + 1), s.word(i + 2), s.word(i + 3)
        if conjunction not in TIME_CONJUNCTIONS | {"as soon as"} or subject not in SUBJECTS \
                or not s.joined(i, i + 3) or any(s.word(m) in WHETHER_WORDS for m in range(max(0, i - 3), i)):
            continue
        person = SUBJECTS[subject]
        if aux == "will" and _elsewhere(s, i, i + 3, words("will won't 'll")) \
                and not (subject == "you" and verb in WILLING):
            if verb == "be":
                new = BE_FOR[person]
            elif is_base(verb):
                new = third_person(verb) if person == "3s" else verb
            else:
                continue
            yield s.edit(i + 2, i + 3, new, "tense",
                         f'After "{conjunction}", use the present tense for the future, not "will".',
                         "will_in_condition")
        elif conjunction == "if" and aux == "would" and subject != "you" and _elsewhere(s, i, i + 3, words("would 'd")):
            # ("if you would like..." is polite, not a mistake)
            if verb == "be":
                new = "were"
            elif is_base(verb) and verb not in COGNITIVE - {"know"}:
                new = past(verb)  # "if I would have known" -> "if I had known" too
            else:
                continue
            yield s.edit(i + 2, i + 3, new, "tense", 'After "if", use the past ("if I had"), not "would".',
                         "will_in_condition")


LIKING = words("prefer prefers like likes love loves miss misses hate hates enjoy enjoys")


@rule
def past_time_present_verb(s: Sentence) -> Iterator[RuleEdit]:
    """"Yesterday I eat a croissant" -> "ate"; "When I was young, I go..." -> "went"; "I see him last week" -> "saw"."""
    why = "This happened in the past: use the past tense."
    for i in range(s.n):
        # 1. "Yesterday I eat...": the time phrase opens the clause and the subject follows it.
        subject = i + past_time(s, i) if s.clause_start(i) and past_time(s, i) else None
        if s.word(i) == "when" and s.clause_start(i) and s.word(i + 1) in SUBJECTS and s.word(i + 2) in {"was", "were"}:
            # "When I was young(,) I go...": the next subject pronoun, with no verb on the way.
            subject = next((m for m in range(i + 3, min(s.n, i + 9)) if s.word(m) in NOMINATIVE | {"you"}), None)
            if subject is None or any(
                s.word(m) in VERB_FORMS or s.word(m) in BE_FORMS | AUXILIARIES for m in range(i + 3, subject)
            ):
                continue
        if subject is None or s.word(subject) not in SUBJECTS:
            continue
        k = subject + 1 + (s.word(subject + 1) in MID_ADVERBS)
        new = to_past(s, k, SUBJECTS[s.word(subject)]) if s.joined(subject, k) else None
        if new:
            yield s.edit(k, k, new, "tense", why, "past_time_present_verb")
    for i in range(s.n - 2):
        # 2. "I eat a croissant yesterday": subject, present verb, a few words, the time phrase ending the clause.
        if s.word(i) not in SUBJECTS or not s.clause_start(i):
            continue
        k = i + 1 + (s.word(i + 1) in MID_ADVERBS)
        new = to_past(s, k, SUBJECTS[s.word(i)]) if s.joined(i, k) else None
        marker = next_past_time(s, k + 1)
        if new is None or marker is None or marker - k > 7 or not s.joined(k, marker) \
                or not s.boundary_after(marker + past_time(s, marker) - 1):
            continue
        if marker == k + 1 and s.word(k) in LIKING:
            continue  # "I prefer last year": the time is the object
        if any(s.word(m) in VERB_FORMS or s.word(m) in BE_FORMS | AUXILIARIES or s.word(m) in SUBJECTS
               or s.word(m) in CLAUSE_WORDS for m in range(k + 1, marker)):
            continue  # "I need the money I lent you last week": the time belongs to another verb
        yield s.edit(k, k, new, "tense", why, "past_time_present_verb")


# --- rules: questions ------------------------------------------------------------------------


def question_head(s: Sentence) -> int:
    """The number of words of the question word opening a question ("where", "how much"), else 0."""
    if not s.question or s.n < 3 or s.word(0) not in words("where what why when how who"):
        return 0
    if s.is_(0, "what", "time") or s.word(0) == "how" and s.word(1) in words("much many long often old far"):
        return 2 if s.joined(0, 1) else 0
    return 1


def another_clause(s: Sentence, start: int) -> bool:
    """From word ``start`` on, another subject or finite verb: "What you said was true?"."""
    return any(s.word(m) in NOMINATIVE | BE_FORMS | MODALS | {"do", "does", "did"} for m in range(start, s.n))


@rule
def question_word_order(s: Sentence) -> Iterator[RuleEdit]:
    """"Where I can find...?" -> "Where can I find...?"; "How much it cost?" -> "How much does it cost?".

    Only for a whole sentence that opens with the question word and ends with "?", so that "What you
    need is rest." or "Where I live, it rains." are left alone.
    """
    head = question_head(s)
    subject, verb = s.word(head), s.word(head + 1)
    if not head or subject not in SUBJECTS or not s.joined(0, head + 1) or another_clause(s, head + 2):
        return
    question = s.span_text(0, head - 1)
    if verb in MODALS or verb in {"am", "is", "are", "was", "were"}:
        yield s.edit(0, head + 1, f"{question} {verb} {s.original(head)}", "word_order",
                     "In a question, the verb comes before the subject.", "question_word_order")
        return
    # "Where you live?" -> "Where do you live?", "What you did?" -> "What did you do?"
    base, do = present_base(verb), "does" if SUBJECTS[subject] == "3s" else "do"
    if base is None:
        base, do = base_of(verb, ("past",)), "did"
    if base is None or base == "have" and base_of(s.word(head + 2), ("pp",)):
        return  # ("Where you have been?" needs "have" first, not "do")
    yield s.edit(0, head + 1, f"{question} {do} {s.original(head)} {base}", "missing_word",
                 'A question with a question word needs "do/does/did" before the subject.', "question_word_order")


# Words before an indirect question: "do you know / tell me / I wonder where...".
EMBEDDING = words("know me us wonder idea sure remember ask understand")


@rule
def embedded_question_order(s: Sentence) -> Iterator[RuleEdit]:
    """"Do you know where is the station?" -> "where the station is": an indirect question keeps statement order."""
    for i in range(1, s.n - 2):
        if s.word(i - 1) not in EMBEDDING:
            continue
        if s.is_(i, "what", "time") or s.word(i) == "how" and s.word(i + 1) in words("much old far long"):
            be = i + 2
        elif s.word(i) in {"where", "when", "how"}:  # ("who is coming", "what is wrong" are right)
            be = i + 1
        else:
            continue
        if s.word(be) not in {"is", "are", "was", "were"} or not s.joined(i - 1, be + 1):
            continue
        # The subject: a pronoun, or a determiner and up to three more words, ending the clause.
        first = last = be + 1
        if s.word(first) in POSSESSIVES | {"this", "that"}:
            while not s.boundary_after(last) and last - first < 3:
                last += 1
        elif s.word(first) not in words("it he she they you we"):
            continue
        if not s.boundary_after(last) or any(
            base_of(s.word(m), ("s3", "past", "pp")) or s.word(m) in BE_FORMS | MODALS | CLAUSE_WORDS
            or is_ing(s.word(m)) or s.word(m).endswith("ed") or s.word(m) in words("today tomorrow now here there")
            for m in range(first + 1, last + 1)
        ):
            continue  # not a plain noun phrase: "when is the train leaving"
        yield s.edit(i, last, f"{s.span_text(i, be - 1)} {s.span_text(first, last)} {s.original(be)}", "word_order",
                     'In an indirect question ("Do you know where..."), the subject comes before the verb.',
                     "embedded_question_order")


# --- rules: verb forms and agreement ---------------------------------------------------------


@rule
def base_after_auxiliary(s: Sentence) -> Iterator[RuleEdit]:
    """"Does he likes" -> "like", "He can speaks" -> "speak", "didn't went" -> "go", "will visited" -> "visit"."""
    for i in range(s.n - 1):
        w = s.word(i)
        if not (w in AUXILIARIES or w.endswith("'ll") or w in {"do", "does", "did"}) \
                or s.word(i - 1) in DETERMINERS or w == "may" and s.word(i - 1) in PREPOSITIONS:
            continue  # "the will", "a can", "in May"
        k = i + 1
        if s.word(k) in SUBJECTS and not w.endswith("'ll"):
            k += 1  # a question: "Does he likes...?", "Can she speaks...?"
        elif w in {"do", "does", "did"}:
            continue  # with no subject after it, "do" may be the main verb: "I do exercises"
        k += s.word(k) in MID_ADVERBS | words("not probably")
        base = base_of(s.word(k), ("s3", "past", "pp"))
        if base is not None and s.joined(i, k):
            yield s.edit(k, k, base, "verb_conjugation",
                         f'After "{s.original(i)}", use the base form of the verb ("{base}").', "base_after_auxiliary")


def not_a_finite_subject(s: Sentence, i: int) -> bool:
    """The pronoun at ``i`` does not take an agreeing verb here."""
    prev = s.word(i - 1)
    return (
        prev in AUXILIARIES | CAUSATIVES | {"do", "does", "did", "rather"} or prev.endswith("'ll")  # "let it go"
        or prev in {"and", "or", "nor"}  # "Tom and I are": a plural subject
        or any(s.word(m) in MANDATIVE for m in range(max(0, i - 4), i))  # "I suggest (that) he go"
    )


def filler_like(s: Sentence, i: int) -> bool:
    """The "like" at ``i`` is the spoken filler: "she, like, totally forgot", "he like went home"."""
    nxt = s.word(i + 1)
    return s.boundary_after(i) or nxt in MID_ADVERBS | words("totally literally so") or base_of(nxt, ("past", "s3"))


@rule
def pronoun_agreement(s: Sentence) -> Iterator[RuleEdit]:
    """Subject-verb agreement after a pronoun: "it have" -> "has", "he always go" -> "goes", "I is" -> "am"."""
    for i in range(s.n - 1):
        subject = s.word(i)
        if subject not in SUBJECTS or subject in {"it", "you"} and not s.clause_start(i):
            continue  # "it" and "you" may be objects: "I'd call it love"
        if not_a_finite_subject(s, i):
            continue
        person = SUBJECTS[subject]
        k = i + 1 + (s.word(i + 1) in MID_ADVERBS)
        verb = s.word(k)
        if not s.joined(i, k):
            continue
        if verb in {"am", "is", "are"}:
            new = BE_FOR[person]
        elif verb in {"was", "don't", "doesn't"}:
            new = {"was": "were" if person == "pl" else "was", "don't": "doesn't" if person == "3s" else "don't",
                   "doesn't": "doesn't" if person == "3s" else "don't"}[verb]
        elif person == "3s":
            base = verb if is_base(verb) else None
            if base is None or base in SAME_PAST or base_of(verb, ("past",)) or s.word(k + 1) == "not" \
                    or base == "use" and s.word(k + 1) == "to" or base == "like" and filler_like(s, k):
                continue  # "it cost" (past), "she need not", "he use to" ("used to"), "she like totally forgot"
            new = third_person(base)
        else:
            new = base_of(verb, ("s3",)) or verb
        if new != verb:
            yield s.edit(k, k, new, "verb_conjugation",
                         f'The verb must agree with "{s.original(i)}": "{s.original(i)} {new}".', "pronoun_agreement")


PLURAL_VERB = {"is": "are", "was": "were", "has": "have", "doesn't": "don't", "does": "do"}
SINGULAR_VERB = {"have": "has", "don't": "doesn't", "do": "does"}
# Verbs after a noun subject that are (nearly) never nouns, so that in "my sister work" the word
# after the noun can only be its verb.
NOUN_SUBJECT_VERBS = words(
    "go like want live speak know love say think come cook eat drink study give teach tell help buy sell believe"
    " work play watch make take"
)
# -s forms that are not also plural nouns ("likes", "lives", "drinks" are).
S3_NOT_NOUNS = words("goes speaks knows says thinks comes eats gives teaches tells sells believes")


@rule
def noun_agreement(s: Sentence) -> Iterator[RuleEdit]:
    """"My sister have" -> "has"; "people is", "people thinks" -> "are", "think"; "the cakes is" -> "are"."""
    for i in range(s.n - 1):
        noun, verb = s.word(i), s.word(i + 1)
        start = i - 1 if s.word(i - 1) in DETERMINERS | words("many most all both") else i
        prev = s.word(start - 1)
        if not s.joined(i, i + 1) or s.word(i - 1) == "a" or prev in words("and or nor rather do does did") \
                or prev in AUXILIARIES | CAUSATIVES:
            continue  # "a people", "my sister and my brother have", "does my sister have", "let my sister go"
        if prev in PREPOSITIONS and not s.is_(start - 3, "a", "lot", "of") and not s.is_(start - 2, "lots", "of"):
            continue  # "one of the books is", "the number of people is"
        plural_subject = noun in PLURAL_TO_SINGULAR and s.word(i - 1) in POSSESSIVES | words("these those some")
        if noun in PLURAL_ONLY or plural_subject:
            new = PLURAL_VERB.get(verb) or (base_of(verb, ("s3",)) if verb in S3_NOT_NOUNS else None)
            if new:
                yield s.edit(i + 1, i + 1, new, "verb_conjugation", f'"{s.original(i)}" is plural: use "{new}".',
                             "noun_agreement")
        elif noun in PERSON_NOUNS and s.word(i - 1) in POSSESSIVES and s.word(i + 2) != "not" \
                and (verb in SINGULAR_VERB or verb in NOUN_SUBJECT_VERBS):
            new = SINGULAR_VERB.get(verb) or third_person(verb)
            yield s.edit(i + 1, i + 1, new, "verb_conjugation", f'"{s.span_text(i - 1, i)}" is singular: use "{new}".',
                         "noun_agreement")
    for i in range(s.n - 2):  # "There is many people" -> "There are many people"
        if s.word(i) == "there" and s.word(i + 1) in {"is", "was"} and s.word(i + 2) in {"many", "several"} \
                and s.joined(i, i + 2):
            new = PLURAL_VERB[s.word(i + 1)]
            yield s.edit(i + 1, i + 1, new, "verb_conjugation", f'Before a plural, say "there {new}".',
                         "noun_agreement")


AFTER_HAVE_OR_BE = words("have has had been be being was were is are am")


@rule
def irregular_past(s: Sentence) -> Iterator[RuleEdit]:
    """"goed", "buyed", "leaved", "writed" -> the irregular past, or the participle after have/be.

    (Harper knows most of these words but its first suggestion is sometimes the participle:
    "She writed" -> "She written".)
    """
    for i in range(s.n):
        base = OVERREGULARIZED.get(s.word(i))
        if base is None:
            continue
        back = s.word(i - 2) if s.word(i - 1) in MID_ADVERBS | {"not"} else s.word(i - 1)
        after_aux = back in AFTER_HAVE_OR_BE or back.endswith(("'ve", "'d"))
        new = participle(base) if after_aux else past(base)
        yield s.edit(i, i, new, "verb_conjugation", f'"{base}" is irregular: "{new}".', "irregular_past")


# --- rules: nouns, articles and quantities ---------------------------------------------------

# Words that may follow a noun at the end of its noun phrase ("these apple ARE", not "these apple PIES").
PHRASE_FOLLOWERS = words(
    """is are was were have has do don't does doesn't look looks taste tastes cost costs seem seems and or but in on
    at from of for with to that which who i you he she we they it here there now today very please every after
    before yesterday tonight together"""
)


def noun_phrase_ends(s: Sentence, i: int) -> bool:
    return s.boundary_after(i) or s.word(i + 1) in PHRASE_FOLLOWERS


@rule
def many_much(s: Sentence) -> Iterator[RuleEdit]:
    """"many informations" -> "a lot of information"; "much friends" -> "many friends"."""
    for i in range(s.n - 1):
        w, noun = s.word(i), s.word(i + 1)
        if not s.joined(i, i + 1):
            continue
        if w == "many" and (noun in WRONG_PLURALS or noun in UNCOUNTABLE and noun_phrase_ends(s, i + 1)):
            singular = WRONG_PLURALS.get(noun, noun)  # (not "many water bottles")
            quantifier = "much" if s.word(i - 1) in words("how too so as very not") else "a lot of"
            yield s.edit(i, i + 1, f"{quantifier} {singular}", "number",
                         f'"{singular}" is uncountable: "{quantifier} {singular}", not "many".', "many_much")
        elif w == "much" and (noun in PLURAL_TO_SINGULAR or noun in PLURAL_ONLY) \
                and not any(s.word(m) in {"thank", "thanks"} for m in range(max(0, i - 3), i)):
            # (not "thank you so much friends")
            yield s.edit(i, i, "many", "number", f'"{noun}" is countable: "many {noun}", not "much".', "many_much")


# Irregular plurals given a regular -s on top ("peoples" is a word: nations).
DOUBLE_PLURALS = {"childrens": "children", "mens": "men", "womens": "women", "feets": "feet", "teeths": "teeth",
                  "sheeps": "sheep", "mices": "mice"}


@rule
def noun_number(s: Sentence) -> Iterator[RuleEdit]:
    """"every days" -> "day", "these apple" -> "apples", "one of my friend" -> "friends", "childrens" -> "children"."""
    for i in range(s.n):
        w, noun = s.word(i), s.word(i + 1)
        if w in DOUBLE_PLURALS:
            yield s.edit(i, i, DOUBLE_PLURALS[w], "number", f'"{DOUBLE_PLURALS[w]}" is already plural.', "noun_number")
        if not s.joined(i, i + 1) or not noun_phrase_ends(s, i + 1):
            continue
        if w in {"every", "each"} and noun in PLURAL_TO_SINGULAR and noun != "people":
            new = PLURAL_TO_SINGULAR[noun]
            yield s.edit(i + 1, i + 1, new, "number", f'After "{w}", use the singular: "{w} {new}".', "noun_number")
        elif noun in COUNT_NOUNS and noun not in PLURAL_TO_SINGULAR and (
            w in {"these", "those"} and s.word(i + 2) not in words("is was has does doesn't looks tastes costs seems")
            or w in POSSESSIVES | {"these", "those"} and s.is_(i - 2, "one", "of")
        ):  # ("these book is" may be "this book is": left alone)
            new = COUNT_NOUNS[noun]
            before = s.span_text(i - 2 if s.word(i - 1) == "of" else i, i)
            yield s.edit(i + 1, i + 1, new, "number", f'After "{before}", use the plural: "{new}".', "noun_number")


@rule
def article_mass_noun(s: Sentence) -> Iterator[RuleEdit]:
    """"a bread", "a homework" -> "some bread": an uncountable noun takes no "a" (not "a bread knife")."""
    for i in range(s.n - 1):
        noun = s.word(i + 1)
        # ("a water, please", "a good knowledge of French" are right)
        if s.word(i) in {"a", "an"} and noun in UNCOUNTABLE - words("water milk sugar knowledge") \
                and s.joined(i, i + 1) and noun_phrase_ends(s, i + 1):
            yield s.edit(i, i + 1, "some " + s.original(i + 1), "article",
                         f'"{noun}" is uncountable: "some {noun}", not "a {noun}".', "article_mass_noun")


def superlative(word: str) -> bool:
    """best, worst, or the -est form of a short adjective (biggest, nicest, easiest)."""
    if word in {"best", "worst"}:
        return True
    stem = word[:-3] if word.endswith("est") else ""
    candidates = {stem, stem + "e", stem[:-1], stem[:-1] + "y" if stem.endswith("i") else ""}
    return bool(stem) and bool(candidates & SHORT_ADJECTIVES)


# Nouns that follow a superlative ("it is best way"), besides roles and countable nouns.
SUPERLATIVE_NOUNS = (ROLES | frozenset(COUNT_NOUNS) | words("player team way option choice moment solution part")) - {
    "friend"  # "they are best friends"
}
ROLE_FOLLOWERS = words("from in at and but for with of here there now too i he she we they you")


@rule
def missing_article(s: Sentence) -> Iterator[RuleEdit]:
    """"I am student" -> "I am a student"; "She is best baker" -> "the best baker"; "in the nature" -> "in nature"."""
    for i in range(s.n - 1):
        w, nxt = s.word(i), s.word(i + 1)
        if not s.joined(i, i + 1):
            continue
        singular_subject_be = (
            w in {"i'm", "he's", "she's"}
            or w in {"am", "is", "was"} and s.word(i - 1) in {"i", "he", "she"} and s.joined(i - 1, i)
            or w in {"is", "was"} and s.word(i - 1) in PERSON_NOUNS and s.word(i - 2) in POSSESSIVES  # "my wife is"
        )
        one_of = s.is_(i - 1, "one", "of")
        if singular_subject_be and nxt in ROLES and (s.boundary_after(i + 1) or s.word(i + 2) in ROLE_FOLLOWERS):
            article = a_or_an(nxt)  # (not "he is Doctor Jones", "I'm beginner level")
            yield s.edit(i + 1, i + 1, f"{article} {s.original(i + 1)}", "article",
                         f'A job or role takes "{article}": "{article} {nxt}".', "missing_article")
        elif (w in BE_FORMS | set(CONTRACTED_BE) | {"it's"} or one_of) and superlative(nxt) and s.joined(i + 1, i + 2) \
                and (s.word(i + 2) in SUPERLATIVE_NOUNS or one_of and s.word(i + 2) in PLURAL_TO_SINGULAR):
            # (not "it is best to wait", "they are best friends", "he is best known for")
            yield s.edit(i + 1, i + 1, "the " + s.original(i + 1), "article",
                         f'A superlative takes "the": "the {nxt}".', "missing_article")
        if s.is_(i, "the", "nature") and (
            s.boundary_after(i + 1) or s.word(i + 2) in words("very so and a too here because")
        ):  # nature in general takes no article (but "the nature of the problem", "the nature reserve")
            yield s.edit(i, i + 1, s.original(i + 1), "article", '"Nature" in general takes no article.',
                         "missing_article")


# --- rules: prepositions and fixed phrases ---------------------------------------------------

# (words before, wrong preposition, right preposition, why)
PREPOSITION_FIXES = [
    (words("depend depends depended depending dependent"), words("of from"), "on", 'We say "depend on".'),
    (words("afraid scared"), words("from"), "of", 'We say "afraid of".'),
]


@rule
def prepositions(s: Sentence) -> Iterator[RuleEdit]:
    """"depend of" -> "on", "in Sunday" -> "on Sunday", "married with him" -> "married to him"."""
    for i in range(s.n - 1):
        w, nxt = s.word(i), s.word(i + 1)
        if not s.joined(i, i + 1):
            continue
        for before, wrong, right, why in PREPOSITION_FIXES:
            if w in before and nxt in wrong:
                yield s.edit(i + 1, i + 1, right, "preposition", why, "prepositions")
        if w in {"in", "at"} and (nxt in DAYS or nxt[:-1] in DAYS and nxt.endswith("s")):
            yield s.edit(i, i, "on", "preposition", 'Days take "on": "on Sunday".', "prepositions")
        if w == "married" and nxt == "with" and (
            s.word(i + 2) == "him"
            or s.word(i + 2) == "her" and (s.boundary_after(i + 2) or s.word(i + 3) in words("for since and now"))
            or s.word(i + 2) == "a" and s.word(i + 3) in words("man woman guy")
        ):  # (not "married with two children", "married with her parents' blessing")
            yield s.edit(i + 1, i + 1, "to", "preposition", 'We say "married to someone".', "prepositions")


# Verbs that are (nearly) never nouns, so "would like buy" can only mean "would like to buy".
INFINITIVES = words("go buy eat see know find get make take come leave stay speak say tell give learn become bring pay"
                    " meet sit live write listen understand ask open send sell finish start wait visit try")


@rule
def missing_to(s: Sentence) -> Iterator[RuleEdit]:
    """"explain me" -> "explain to me", "listen music" -> "listen to music", "would like buy" -> "to buy"."""
    for i in range(s.n - 1):
        w, nxt = s.word(i), s.word(i + 1)
        if not s.joined(i, i + 1):
            continue
        if w in words("explain explains explained explaining") and nxt in {"me", "us"}:
            why = 'We explain something "to" someone: "explain to me".'
        elif w in words("listen listens listened listening") and nxt in words("music me him her us them"):
            why = 'We "listen to" something or someone.'
        elif w == "like" and s.word(i - 1) in words("would i'd we'd you'd he'd she'd they'd") and nxt in INFINITIVES:
            why = 'After "would like", use "to" + verb.'
        else:
            continue
        yield s.edit(i + 1, i + 1, "to " + s.original(i + 1), "missing_word", why, "missing_to")


@rule
def extra_to(s: Sentence) -> Iterator[RuleEdit]:
    """"I can to swim" -> "I can swim": modal verbs take a bare infinitive."""
    for i in range(s.n - 2):
        w = s.word(i)
        if (w in MODALS - words("will would won't wouldn't") or w == "let's") and s.word(i + 1) == "to" \
                and s.word(i - 1) not in DETERMINERS and is_base(s.word(i + 2)) and s.joined(i, i + 2):
            # (not "a can to recycle", "from May to June")
            yield s.edit(i, i + 1, s.original(i), "extra_word", f'No "to" after "{s.original(i)}".', "extra_to")


@rule
def age_with_have(s: Sentence) -> Iterator[RuleEdit]:
    """"I have 20 years" -> "I am 20 years old": English gives an age with "be"."""
    for i in range(s.n - 3):
        subject, have, number = s.word(i), s.word(i + 1), s.word(i + 2)
        person = subject in {"i", "he", "she"} or subject in PERSON_NOUNS | {"child", "baby"} \
            and s.word(i - 1) in POSSESSIVES  # "my daughter has six years"
        value = int(number) if number.isdigit() else NUMBER_WORDS.get(number, 0)
        if not person or have not in {"have", "has", "had"} or not 1 <= value <= 120 \
                or s.word(i + 3) not in {"years", "year"} or not s.joined(i, i + 3):
            continue
        old = s.word(i + 4) == "old" and s.joined(i + 3, i + 4)
        if not old and (have == "had" or not s.boundary_after(i + 3) and s.word(i + 4) not in {"and", "but", "now"}):
            continue  # "I have 20 years of experience", "I had 10 years to pay"
        be = "was" if have == "had" else "am" if subject == "i" else "is"
        yield s.edit(i + 1, i + 4 if old else i + 3, f"{be} {s.original(i + 2)} years old", "vocabulary",
                     'In English, age is said with "be": "I am 20 years old".', "age_with_have")


# (forms of the wrong verb, nouns it goes with, the right verb's forms in the same order, why)
COLLOCATIONS = [
    (("make", "makes", "made", "making"), words("photo photos photograph photographs selfie selfies"),
     ("take", "takes", "took", "taking"), 'We "take" a photo.'),
    (("do", "does", "did", "doing"), words("mistake mistakes"), ("make", "makes", "made", "making"),
     'We "make" a mistake.'),
    (("make", "makes", "made", "making"), words("homework"), ("do", "does", "did", "doing"), 'We "do" homework.'),
    (("make", "makes", "made", "making"), words("party"), ("have", "has", "had", "having"),
     'We "have" (or "throw") a party.'),
]
# Words that may stand between the verb and its noun: "made a lot of photos", "did a big mistake".
COLLOCATION_FILLERS = words(
    """a an the some many my your his her our their lots of lot this that few these those any no nice good same big
    small huge terrible stupid silly serious little"""
)
# "do" is the verb of the mistake only after its subject ("I did many mistakes"), not an
# auxiliary ("Do mistakes matter?").
BEFORE_MAIN_DO = frozenset(SUBJECTS) | MODALS | DO_NEGATIVE | words("to not never always often")


@rule
def collocations(s: Sentence) -> Iterator[RuleEdit]:
    """"make a photo" -> "take", "do a mistake" -> "make", "borrow me" -> "lend me", "said me" -> "told me"."""
    for i in range(s.n - 1):
        w = s.word(i)
        for forms, nouns, right, why in COLLOCATIONS:
            if w not in forms or forms[0] == "do" and s.word(i - 1) not in BEFORE_MAIN_DO:
                continue
            noun = next((i + g for g in range(1, 5) if s.word(i + g) in nouns), None)
            if noun is not None and s.joined(i, noun) and noun_phrase_ends(s, noun) \
                    and all(s.word(m) in COLLOCATION_FILLERS for m in range(i + 1, noun)):
                # (not "make a photo album", "make homework fun")
                yield s.edit(i, i, right[forms.index(w)], "vocabulary", why, "collocations")
        lend = {"borrow": "lend", "borrows": "lends", "borrowed": "lent", "borrowing": "lending"}
        if w in lend and s.word(i + 1) in {"me", "us"} and s.joined(i, i + 2):
            # "borrow me your pen" (but "can I borrow her car?", "can I borrow them?")
            yield s.edit(i, i, lend[w], "vocabulary",
                         'You "borrow" from someone and "lend" to someone: "lend me".', "collocations")
        tell = {"say": "tell", "says": "tells", "said": "told", "saying": "telling"}
        if w in tell and s.word(i + 1) in {"me", "us"} and s.joined(i, i + 2):  # (but "say them out loud")
            yield s.edit(i, i, tell[w], "vocabulary", 'We "tell" someone something; "say" takes no person.',
                         "collocations")


# --- rules: word order -----------------------------------------------------------------------


@rule
def adverb_position(s: Sentence) -> Iterator[RuleEdit]:
    """"Always I drink" / "I drink always coffee" -> "I always drink (coffee)": the adverb goes before the verb."""
    # "Always I drink coffee", "Never I am late": adverb, subject pronoun, verb.
    if s.word(0) in {"always", "never"} and s.word(1) in SUBJECTS and s.joined(0, 2):
        adverb, subject, verb = s.original(0).lower(), s.original(1), s.original(2)
        if s.word(2) in BE_FORMS | MODALS:
            yield s.edit(0, 2, f"{subject} {verb} {adverb}", "word_order", f'"{adverb}" goes after "{verb}".',
                         "adverb_position")
        elif s.word(2) in VERB_FORMS:
            yield s.edit(0, 1, f"{subject} {adverb}", "word_order", f'"{adverb}" goes before the verb.',
                         "adverb_position")
    # "I drink always coffee": subject pronoun, present verb, adverb, more words.
    for i in range(s.n - 3):
        verb = s.word(i + 1)
        if s.word(i) in SUBJECTS and s.clause_start(i) and s.word(i + 2) in words("always never usually") \
                and present_base(verb) and verb not in words("have has do does") and s.joined(i, i + 3) \
                and s.word(i + 3) not in words("and or but again forever ever mind"):
            # (not "it happens always", "I love you always and forever", "I say never again")
            yield s.edit(i + 1, i + 2, f"{s.original(i + 2)} {s.original(i + 1)}", "word_order",
                         f'"{s.original(i + 2)}" goes before the verb.', "adverb_position")


VERY_MUCH_VERBS = words("like likes liked love loves loved enjoy enjoys enjoyed hate hates hated miss misses missed")


@rule
def very_much_position(s: Sentence) -> Iterator[RuleEdit]:
    """"I like very much chocolate" -> "I like chocolate very much": nothing between a verb and its object."""
    for i in range(s.n - 3):
        if s.word(i) not in VERY_MUCH_VERBS or not s.is_(i + 1, "very", "much") or not s.joined(i, i + 3):
            continue
        end = i + 3  # the object runs to the end of the clause (at most five words)
        while not s.boundary_after(end) and end - i < 7:
            end += 1
        if s.boundary_after(end) and not any(
            s.word(m) in NOMINATIVE | MODALS | CLAUSE_WORDS - {"and"} for m in range(i + 3, end + 1)
        ):  # (not "I love very much that you came")
            yield s.edit(i, end, f"{s.original(i)} {s.span_text(i + 3, end)} {s.span_text(i + 1, i + 2)}", "word_order",
                         '"very much" goes after the object: "I like it very much".', "very_much_position")


@rule
def missing_be(s: Sentence) -> Iterator[RuleEdit]:
    """"My brother very tall" -> "My brother is very tall": an adjective needs the verb "be"."""
    for i in range(1, s.n - 1):
        adjective = s.word(i + 1)
        if s.word(i) not in words("very so too really") or adjective not in ADJECTIVES or not s.joined(i, i + 1) \
                or not (s.boundary_after(i + 1) or s.word(i + 2) in words("and but today now here there")):
            continue
        subject = s.word(i - 1)
        if subject in SUBJECTS and s.clause_start(i - 1) and s.joined(i - 1, i):  # "she very nice"
            be = BE_FOR[SUBJECTS[subject]]
        elif s.word(i - 2) in POSSESSIVES and s.clause_start(i - 2) and s.joined(i - 2, i) \
                and subject not in VERB_FORMS and subject not in ADJECTIVES | BE_FORMS | AUXILIARIES:
            # "the food very good"
            be = "are" if subject in PLURAL_TO_SINGULAR or subject in PLURAL_ONLY else "is"
        else:
            continue  # (not "I feel very tired", "is it too late?", "the very tall man")
        yield s.edit(i, i, f"{be} {s.original(i)}", "missing_word",
                     f'An adjective needs the verb "be": "{be} {s.word(i)} {adjective}".', "missing_be")


# --- entry point -----------------------------------------------------------------------------


def check(text: str) -> list[RuleEdit]:
    """All rule edits for ``text``, without overlaps (the earlier rule wins), in text order."""
    s = Sentence(text)
    chosen: list[RuleEdit] = []
    for fn in RULES:
        for edit in fn(s):
            if edit.replacement != edit.original and not any(
                edit.start < other.end and other.start < edit.end for other in chosen
            ):
                chosen.append(edit)
    return sorted(chosen, key=lambda e: e.start)


def apply(text: str, edits: list[RuleEdit]) -> str:
    """``text`` with ``edits`` (non-overlapping) applied."""
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text
