"""Word tables and word helpers shared by the rules: verb forms (irregular and regular verbs,
their -s, past and participle forms), auxiliaries, pronouns, nouns, adjectives.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- verbs -----------------------------------------------------------------------------------

# Irregular verbs: base -> (simple past, past participle).
IRREGULAR: dict[str, tuple[str, str]] = {
    "be": ("was", "been"),
    "have": ("had", "had"),
    "do": ("did", "done"),
    "go": ("went", "gone"),
    "say": ("said", "said"),
    "make": ("made", "made"),
    "get": ("got", "got"),
    "know": ("knew", "known"),
    "think": ("thought", "thought"),
    "take": ("took", "taken"),
    "see": ("saw", "seen"),
    "come": ("came", "come"),
    "give": ("gave", "given"),
    "find": ("found", "found"),
    "tell": ("told", "told"),
    "become": ("became", "become"),
    "leave": ("left", "left"),
    "feel": ("felt", "felt"),
    "bring": ("brought", "brought"),
    "begin": ("began", "begun"),
    "keep": ("kept", "kept"),
    "hold": ("held", "held"),
    "write": ("wrote", "written"),
    "stand": ("stood", "stood"),
    "hear": ("heard", "heard"),
    "let": ("let", "let"),
    "mean": ("meant", "meant"),
    "set": ("set", "set"),
    "meet": ("met", "met"),
    "run": ("ran", "run"),
    "pay": ("paid", "paid"),
    "sit": ("sat", "sat"),
    "speak": ("spoke", "spoken"),
    "lead": ("led", "led"),
    "read": ("read", "read"),
    "grow": ("grew", "grown"),
    "lose": ("lost", "lost"),
    "fall": ("fell", "fallen"),
    "send": ("sent", "sent"),
    "build": ("built", "built"),
    "understand": ("understood", "understood"),
    "draw": ("drew", "drawn"),
    "break": ("broke", "broken"),
    "spend": ("spent", "spent"),
    "cut": ("cut", "cut"),
    "drive": ("drove", "driven"),
    "buy": ("bought", "bought"),
    "wear": ("wore", "worn"),
    "choose": ("chose", "chosen"),
    "eat": ("ate", "eaten"),
    "drink": ("drank", "drunk"),
    "swim": ("swam", "swum"),
    "sing": ("sang", "sung"),
    "sleep": ("slept", "slept"),
    "teach": ("taught", "taught"),
    "catch": ("caught", "caught"),
    "fight": ("fought", "fought"),
    "throw": ("threw", "thrown"),
    "fly": ("flew", "flown"),
    "forget": ("forgot", "forgotten"),
    "forgive": ("forgave", "forgiven"),
    "hide": ("hid", "hidden"),
    "ride": ("rode", "ridden"),
    "sell": ("sold", "sold"),
    "shake": ("shook", "shaken"),
    "shut": ("shut", "shut"),
    "steal": ("stole", "stolen"),
    "win": ("won", "won"),
    "wake": ("woke", "woken"),
    "lend": ("lent", "lent"),
    "hurt": ("hurt", "hurt"),
    "put": ("put", "put"),
    "cost": ("cost", "cost"),
    "hit": ("hit", "hit"),
    "quit": ("quit", "quit"),
    "blow": ("blew", "blown"),
    "feed": ("fed", "fed"),
    "bite": ("bit", "bitten"),
    "dig": ("dug", "dug"),
    "shoot": ("shot", "shot"),
    "show": ("showed", "shown"),
    "tear": ("tore", "torn"),
    "freeze": ("froze", "frozen"),
    "deal": ("dealt", "dealt"),
    "ring": ("rang", "rung"),
    "forbid": ("forbade", "forbidden"),
    "seek": ("sought", "sought"),
    "sweep": ("swept", "swept"),
    "bend": ("bent", "bent"),
    "spread": ("spread", "spread"),
    "bet": ("bet", "bet"),
    "light": ("lit", "lit"),
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
# Contracted pronoun + "be": the pronoun as written and the full form of "be".
CONTRACTED_BE = {
    "i'm": ("I", "am"),
    "you're": ("you", "are"),
    "we're": ("we", "are"),
    "they're": ("they", "are"),
    "he's": ("he", "is"),
    "she's": ("she", "is"),
}
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
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
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
    "sandwich": "sandwiches",
    "tomato": "tomatoes",
    "potato": "potatoes",
    "glass": "glasses",
    "box": "boxes",
    "bus": "buses",
    "city": "cities",
    "country": "countries",
    "story": "stories",
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "family": "families",
    "baby": "babies",
    "party": "parties",
    "loaf": "loaves",
    "knife": "knives",
    "foot": "feet",
    "tooth": "teeth",
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


def a_or_an(word: str) -> str:
    return "an" if word[:1].lower() in VOWELS and not word.lower().startswith(("uni", "use", "eu", "one")) else "a"
