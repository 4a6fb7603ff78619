"""The hand-written English rules (grammar_rules_en) alone, and combined with Harper.

Every rule has sentences it must correct (with the exact correction) and correct sentences
that look like the mistake and that it must leave alone: a wrong correction hurts a learner
more than a missed one. The sentences are our own, not those of shared/grammar_eval.
"""

from __future__ import annotations

import pytest

from engines import grammar_rules_en as rules
from engines.interfaces import GRAMMAR_CATEGORIES


def corrected(text: str) -> str:
    return rules.apply(text, rules.check(text))


# (learner sentence, expected correction, the rule that makes it)
MISTAKES = [
    # be_agree
    ("We are agree on the price.", "We agree on the price.", "be_agree"),
    ("I'm not agree with him.", "I don't agree with him.", "be_agree"),
    ("My boss is totally agree.", "My boss totally agrees.", "be_agree"),
    ("They were disagree about the plan.", "They disagreed about the plan.", "be_agree"),
    # perfect_with_past_time
    ("We have visited Rome two years ago.", "We visited Rome two years ago.", "perfect_with_past_time"),
    ("She has bought a new bike last month.", "She bought a new bike last month.", "perfect_with_past_time"),
    ("I've been to the dentist yesterday.", "I went to the dentist yesterday.", "perfect_with_past_time"),
    ("We have been very busy last month.", "We were very busy last month.", "perfect_with_past_time"),
    (
        "They have gone home the day before yesterday.",
        "They went home the day before yesterday.",
        "perfect_with_past_time",
    ),
    # present_with_since
    ("She is working at the bank since 2015.", "She has been working at the bank since 2015.", "present_with_since"),
    ("We're waiting here since Monday.", "We've been waiting here since Monday.", "present_with_since"),
    ("I know her since last summer.", "I have known her since last summer.", "present_with_since"),
    ("He lives in Madrid since 2001.", "He has lived in Madrid since 2001.", "present_with_since"),
    ("They are here since Tuesday.", "They have been here since Tuesday.", "present_with_since"),
    ("I study English since three years.", "I have studied English for three years.", "present_with_since"),
    ("She's waiting since twenty minutes.", "She's been waiting for twenty minutes.", "present_with_since"),
    ("We are there since a long time.", "We have been there for a long time.", "present_with_since"),
    # will_in_condition
    ("If it will rain tomorrow, we will stay home.", "If it rains tomorrow, we will stay home.", "will_in_condition"),
    ("I'll call you if I will be late.", "I'll call you if I am late.", "will_in_condition"),
    ("If we would know the answer, we would help.", "If we knew the answer, we would help.", "will_in_condition"),
    ("If she would be rich, she would travel.", "If she were rich, she would travel.", "will_in_condition"),
    ("I will text you when I will get home.", "I will text you when I get home.", "will_in_condition"),
    ("We'll wait until it will stop raining.", "We'll wait until it stops raining.", "will_in_condition"),
    ("As soon as he will arrive, we will eat.", "As soon as he arrives, we will eat.", "will_in_condition"),
    # past_time_present_verb
    ("Last Saturday we go to the beach.", "Last Saturday we went to the beach.", "past_time_present_verb"),
    ("Three days ago she buys a new phone.", "Three days ago she bought a new phone.", "past_time_present_verb"),
    ("Yesterday I am very tired.", "Yesterday I was very tired.", "past_time_present_verb"),
    ("Last night they don't sleep well.", "Last night they didn't sleep well.", "past_time_present_verb"),
    (
        "When we were children, we play in the street.",
        "When we were children, we played in the street.",
        "past_time_present_verb",
    ),
    ("I meet my cousin last week.", "I met my cousin last week.", "past_time_present_verb"),
    ("She writes to me two weeks ago.", "She wrote to me two weeks ago.", "past_time_present_verb"),
    # question_word_order
    ("Why you are sad?", "Why are you sad?", "question_word_order"),
    ("How I can help you?", "How can I help you?", "question_word_order"),
    ("Where she works?", "Where does she work?", "question_word_order"),
    ("What you did at the weekend?", "What did you do at the weekend?", "question_word_order"),
    ("How long it takes to get there?", "How long does it take to get there?", "question_word_order"),
    # embedded_question_order
    (
        "Can you tell me where is the post office?",
        "Can you tell me where the post office is?",
        "embedded_question_order",
    ),
    ("I don't know how much is it.", "I don't know how much it is.", "embedded_question_order"),
    ("Do you remember when is her birthday?", "Do you remember when her birthday is?", "embedded_question_order"),
    # base_after_auxiliary
    ("Does she works on Sundays?", "Does she work on Sundays?", "base_after_auxiliary"),
    ("We can goes there by bus.", "We can go there by bus.", "base_after_auxiliary"),
    ("The tickets will costs more next year.", "The tickets will cost more next year.", "base_after_auxiliary"),
    ("I didn't saw the message.", "I didn't see the message.", "base_after_auxiliary"),
    ("She doesn't wants any sugar.", "She doesn't want any sugar.", "base_after_auxiliary"),
    ("You should told him.", "You should tell him.", "base_after_auxiliary"),
    ("It'll takes ten minutes.", "It'll take ten minutes.", "base_after_auxiliary"),
    # pronoun_agreement
    ("It have a big garden.", "It has a big garden.", "pronoun_agreement"),
    ("She usually walk to work.", "She usually walks to work.", "pronoun_agreement"),
    ("He watch TV every evening.", "He watches TV every evening.", "pronoun_agreement"),
    ("My mother says she study French.", "My mother says she studies French.", "pronoun_agreement"),
    ("They was at home.", "They were at home.", "pronoun_agreement"),
    ("I is from Brazil.", "I am from Brazil.", "pronoun_agreement"),
    ("We goes to the gym.", "We go to the gym.", "pronoun_agreement"),
    ("I think it work now.", "I think it works now.", "pronoun_agreement"),
    # noun_agreement
    ("My father have a small car.", "My father has a small car.", "noun_agreement"),
    ("The teacher speak very fast.", "The teacher speaks very fast.", "noun_agreement"),
    ("People is very friendly here.", "People are very friendly here.", "noun_agreement"),
    ("The children was tired.", "The children were tired.", "noun_agreement"),
    ("My shoes is wet.", "My shoes are wet.", "noun_agreement"),
    ("A lot of people doesn't know it.", "A lot of people don't know it.", "noun_agreement"),
    ("Some people says it is dangerous.", "Some people say it is dangerous.", "noun_agreement"),
    ("My grandparents speaks Polish.", "My grandparents speak Polish.", "noun_agreement"),
    ("There was several problems.", "There were several problems.", "noun_agreement"),
    # irregular_past
    ("She leaved the party early.", "She left the party early.", "irregular_past"),
    ("The police catched the thief.", "The police caught the thief.", "irregular_past"),
    ("He writed a long email.", "He wrote a long email.", "irregular_past"),
    ("I have speaked to the manager.", "I have spoken to the manager.", "irregular_past"),
    ("The bridge was builded in 1900.", "The bridge was built in 1900.", "irregular_past"),
    ("She comed home late.", "She came home late.", "irregular_past"),
    # many_much
    ("She gave me many advices.", "She gave me a lot of advice.", "many_much"),
    ("How many money do you need?", "How much money do you need?", "many_much"),
    ("There are too much cars in the city.", "There are too many cars in the city.", "many_much"),
    ("I don't have much friends here.", "I don't have many friends here.", "many_much"),
    # noun_number
    ("I call my mother every weeks.", "I call my mother every week.", "noun_number"),
    ("Each students has a book.", "Each student has a book.", "noun_number"),
    ("Those flower are beautiful.", "Those flowers are beautiful.", "noun_number"),
    ("One of my cousin is a pilot.", "One of my cousins is a pilot.", "noun_number"),
    ("The womens were singing.", "The women were singing.", "noun_number"),
    # article_mass_noun
    ("Can I have a rice with it?", "Can I have some rice with it?", "article_mass_noun"),
    ("I have a homework for tomorrow.", "I have some homework for tomorrow.", "article_mass_noun"),
    # prepositions
    ("The price depends of the size.", "The price depends on the size.", "prepositions"),
    ("We meet at Fridays.", "We meet on Fridays.", "prepositions"),
    ("She is married with him.", "She is married to him.", "prepositions"),
    ("My son is afraid from the dark.", "My son is afraid of the dark.", "prepositions"),
    # missing_to
    ("Can you explain me the rules?", "Can you explain to me the rules?", "missing_to"),
    ("I listen music in the car.", "I listen to music in the car.", "missing_to"),
    ("I'd like see the menu.", "I'd like to see the menu.", "missing_to"),
    # extra_to
    ("You must to wear a helmet.", "You must wear a helmet.", "extra_to"),
    ("Let's to eat something.", "Let's eat something.", "extra_to"),
    # age_with_have
    ("My son? He has seven years.", "My son? He is seven years old.", "age_with_have"),
    ("She has thirty years old.", "She is thirty years old.", "age_with_have"),
    ("My son has four years.", "My son is four years old.", "age_with_have"),
    # collocations
    ("We made many photos of the lake.", "We took many photos of the lake.", "collocations"),
    ("I always do the same mistake.", "I always make the same mistake.", "collocations"),
    ("He never makes his homework.", "He never does his homework.", "collocations"),
    ("We want to make a party on Friday.", "We want to have a party on Friday.", "collocations"),
    ("Could you borrow me some money?", "Could you lend me some money?", "collocations"),
    ("He said me the truth.", "He told me the truth.", "collocations"),
    # adverb_position
    ("Never I eat meat.", "I never eat meat.", "adverb_position"),
    ("Always we are late.", "We are always late.", "adverb_position"),
    ("She reads usually the news online.", "She usually reads the news online.", "adverb_position"),
    # very_much_position
    ("I love very much my grandmother.", "I love my grandmother very much.", "very_much_position"),
    ("We enjoyed very much the concert.", "We enjoyed the concert very much.", "very_much_position"),
    # missing_article
    ("He is engineer.", "He is an engineer.", "missing_article"),
    ("My husband is engineer.", "My husband is an engineer.", "missing_article"),
    ("When I was child I lived in Lima.", "When I was a child I lived in Lima.", "missing_article"),
    ("I'm nurse at the hospital.", "I'm a nurse at the hospital.", "missing_article"),
    ("It was best day of my life.", "It was the best day of my life.", "missing_article"),
    ("He is one of best students.", "He is one of the best students.", "missing_article"),
    ("We walked for hours in the nature.", "We walked for hours in nature.", "missing_article"),
    # missing_be
    ("The soup too hot.", "The soup is too hot.", "missing_be"),
    ("They so happy.", "They are so happy.", "missing_be"),
    ("I really sorry.", "I am really sorry.", "missing_be"),
]


@pytest.mark.parametrize(("sentence", "expected", "rule"), MISTAKES)
def test_each_rule_corrects_its_mistake(sentence: str, expected: str, rule: str) -> None:
    edits = rules.check(sentence)
    assert corrected(sentence) == expected
    assert [e.rule for e in edits] == [rule]
    assert edits[0].category in GRAMMAR_CATEGORIES
    assert edits[0].explanation


# Correct sentences, many of them built to look like a mistake one rule corrects.
CORRECT = [
    # be_agree
    "We are agreed on the main points.",
    "Do you agree with me?",
    # perfect_with_past_time
    "I have lived here since last year.",
    "She has been ill for two days.",
    "I have never seen it before.",
    "We have visited Rome three times in the last year.",
    "I've been waiting since yesterday.",
    "Have you finished the report I sent you last week?",
    # present_with_since
    "I am happy since you called.",
    "We are staying in tonight since it is raining.",
    "It is the first time since 2010.",
    "She has lived here since 1999.",
    "I've been working here since March.",
    "Since Monday nobody has called.",
    "I have studied English for three years.",
    "We've been friends since two years ago.",
    "She has been here for ten minutes.",
    "I am here for two weeks, then I go home.",
    # will_in_condition
    "I don't know if it will rain.",
    "Let me know if you will be there, and I will wait.",
    "I will ask him if he will come.",
    "If you will excuse me, I will go now.",
    "If you would like some tea, I would be happy to make it.",
    "I wonder if she would like it, I would.",
    "If it rains, we will stay at home.",
    "Tell me when you will arrive, and I will wait.",
    "I don't know when he will come, but I will ask.",
    "Do you remember when we will meet? I will be late.",
    "When will you come? I will cook.",
    # past_time_present_verb
    "Yesterday I think it rained.",
    "I think I saw him yesterday.",
    "I go there every day, but yesterday I stayed at home.",
    "I have a question about yesterday.",
    "I feel much better than yesterday.",
    "I need the money I lent you last week.",
    "I want to know what happened last night.",
    "Last time I checked, it was open.",
    "When I was young, I remember we had a dog.",
    "He says he saw it yesterday.",
    "I buy the same bread as last time.",
    "I prefer last year.",
    "At last I am free.",
    "I read last week's newspaper.",
    "We stay here until next week.",
    "It cost me twenty euros yesterday.",
    "Yesterday was a long day.",
    "Two years ago I moved here, and now I love it.",
    # question_word_order
    "What you need is a good rest.",
    "Where I live, it rains a lot.",
    "How I wish I could go!",
    "What you said was true?",
    "What you see is what you get?",
    "Where do you live?",
    "What time is it?",
    "How much does it cost?",
    "How come you are here?",
    "When you arrive, can you call me?",
    # embedded_question_order
    "Do you know where the station is?",
    "Do you know who is coming?",
    "Do you know when the train is leaving?",
    "I know where it is.",
    "You know, where is the bathroom?",
    "Tell me what is wrong.",
    # base_after_auxiliary
    "The will was read by the lawyer.",
    "I can't stand it.",
    "You must be tired.",
    "It will be finished soon.",
    "Did you see it?",
    "I do exercises every morning.",
    "We do sports at school.",
    "Will you marry me?",
    "She could have gone.",
    "He doesn't have time.",
    "In May prices go up.",
    "What does it mean?",
    "It can hurt.",
    "They can't have left.",
    "You'd better go.",
    "Why did it happen?",
    "Can the kids play outside?",
    "From May to September it is hot.",
    # pronoun_agreement
    "Let it go.",
    "You can make it work.",
    "I saw him leave.",
    "Does she like tea?",
    "Can he swim?",
    "I suggest that he go home.",
    "It is important that she arrive early.",
    "Where did it go?",
    "Tom and I are friends.",
    "You and he work together.",
    "I'd call it love.",
    "It cost a lot.",
    "He put it on the table.",
    "She read the whole book last year.",
    "It hurt a lot.",
    "She need not worry.",
    "He used to live here.",
    "He doesn't like it.",
    "Everyone knows him.",
    "Everybody sit down, please.",
    "I'd rather he stay here.",
    "He always goes there.",
    "I'll take it home.",
    "Give it time.",
    "They want it cut short.",
    "I know it works.",
    "We heard it rain all night.",
    "And then she like totally forgot about it.",
    "He, like, went home early.",
    # noun_agreement
    "One of my friends is a doctor.",
    "The number of people is growing.",
    "My sister and my brother have a dog.",
    "The people who live here are nice.",
    "My parents have a car.",
    "Does my father have your number?",
    "Let my sister go first.",
    "I watched my brother cook.",
    "Two eggs is enough.",
    "My parents' likes and dislikes are different.",
    "People skills are important.",
    "The Romans were a people who loved roads.",
    "My mother tongue is Spanish.",
    "The bus stop is near the bank.",
    "The book shop is closed.",
    "My friend list is long.",
    "Where did my mother go?",
    # irregular_past
    "The tree is full of seed.",
    "She showed me the way.",
    "He lighted the candles.",
    "Her eyes teared up.",
    "The factory was sited near the river.",
    "We quitted the game.",
    # many_much
    "Thank you so much, friends.",
    "Thank you very much guys.",
    "We bought many water bottles.",
    "There were many music festivals.",
    "I have so much work.",
    "How much time do we have?",
    "It is much bigger.",
    # noun_number
    "I call my mother every two weeks.",
    "These days are hard.",
    "These kind of things happen.",
    "These apple pies are good.",
    "Every day is different.",
    "One of the best days of my life.",
    "Each of the students has a book.",
    "The peoples of Europe will meet.",
    # article_mass_noun
    "I need a bread knife.",
    "She read a news article.",
    "He is a music teacher.",
    "We got stuck in a traffic jam.",
    "She has a good knowledge of French.",
    "I'd like a water, please.",
    "It was a homework assignment.",
    # prepositions
    "It depends on the weather.",
    "She is independent of her parents.",
    "See you on Sunday.",
    "The market is open at weekends.",
    "They got married with her parents' blessing.",
    "She is married with two children.",
    "I met him at Sunday's market.",
    "I am afraid of spiders.",
    # missing_to
    "Explain it to me, please.",
    "Can you explain them to me?",
    "Listen to me.",
    "Listen, my friend, this is important.",
    "I would like some tea.",
    "Would you like to come?",
    # extra_to
    "I have to go.",
    "I can go to the bank.",
    "I'd like to go.",
    "We ought to leave.",
    "Open a can to see.",
    # age_with_have
    "I have 20 years of experience.",
    "We have two years left.",
    "She has five years to finish her degree.",
    "I had 10 years to pay it back.",
    "My son has two years left at school.",
    "I am 30 years old.",
    # collocations
    "Make a photo album for her.",
    "Do mistakes matter?",
    "Make homework fun.",
    "I take a lot of photos.",
    "Did you make a mistake?",
    "Can I borrow her car?",
    "Can I borrow them?",
    "Can I borrow your pen?",
    "Say them out loud.",
    "Say it again.",
    "We can make party food together.",
    "What did he say?",
    # adverb_position
    "Always remember to lock the door.",
    "Never mind.",
    "It happens always.",
    "I love you always and forever.",
    "I say never again.",
    "I always drink coffee.",
    "We are always late.",
    "Usually I get up at seven.",
    # very_much_position
    "I like it very much.",
    "Thank you very much.",
    "I love very much that you came.",
    "I like very much.",
    # missing_article
    "I am vegetarian.",
    "He is Doctor Jones.",
    "It is best to wait.",
    "They are best friends.",
    "She is best friends with Anna.",
    "He is best known for his songs.",
    "The nature of the problem is clear.",
    "We visited a nature reserve.",
    "I am a student.",
    "My wife is a doctor.",
    "My brother is teacher Lee's favourite.",
    "He works as a teacher.",
    # missing_be
    "He very much likes it.",
    "I feel very tired.",
    "It's very good.",
    "Is it too late?",
    "Was she very happy?",
    "The very tall man is my uncle.",
    "Really good!",
    "Thanks, very kind.",
    "Not too bad.",
    "Me too.",
    # general
    "I would like two loaves of bread, please.",
    "How are you today?",
    "She doesn't eat meat, but she loves fish.",
    "We have lived in this town for five years.",
    "My brother is taller than me.",
    "I went to the cinema yesterday.",
    "If I had more time, I would learn Japanese.",
    "Could you tell me how much the tickets are?",
    "He has been a teacher since 2010.",
    "When I was a child, I lived in a small village.",
]


@pytest.mark.parametrize("sentence", CORRECT)
def test_rules_leave_correct_sentences_alone(sentence: str) -> None:
    assert rules.check(sentence) == []


# Mistakes whose right correction cannot be told from the sentence: no rule guesses.
AMBIGUOUS = [
    "These book is boring.",  # "this book is" or "these books are"
    "Where you from?",  # "where are you from" or "where do you come from"
    "I did went there.",  # "I went" or "I did go"
    # Noun subjects in questions and "do" with an indefinite subject are out of the rules' reach.
    "What time the shop opens?",
    "Does your son plays football?",
    "Everybody does mistakes.",
]


@pytest.mark.parametrize("sentence", AMBIGUOUS)
def test_rules_do_not_guess_ambiguous_corrections(sentence: str) -> None:
    assert rules.check(sentence) == []


def test_capital_at_the_start_is_kept_when_words_move() -> None:
    assert corrected("Always I forget his name.") == "I always forget his name."
    assert corrected("Where I can park?") == "Where can I park?"


def test_lower_case_transcript_without_punctuation_is_checked() -> None:
    assert corrected("yesterday i eat pizza") == "yesterday i ate pizza"
    assert corrected("he have a dog") == "he has a dog"


def test_edits_do_not_overlap_and_are_in_text_order() -> None:
    text = "Yesterday she go to the market and I am agree that it have many informations."
    edits = rules.check(text)
    assert len(edits) >= 3
    for first, second in zip(edits, edits[1:], strict=False):
        assert first.end <= second.start
    assert corrected(text) == "Yesterday she went to the market and I agree that it has a lot of information."


def test_verb_forms() -> None:
    assert [rules.third_person(v) for v in ("go", "watch", "study", "play", "have", "fix")] == [
        "goes",
        "watches",
        "studies",
        "plays",
        "has",
        "fixes",
    ]
    assert [rules.past(v) for v in ("like", "stop", "study", "play", "visit", "buy")] == [
        "liked",
        "stopped",
        "studied",
        "played",
        "visited",
        "bought",
    ]
    assert rules.participle("write") == "written"
    assert rules.OVERREGULARIZED["teached"] == "teach"
    assert "seed" not in rules.OVERREGULARIZED  # a real word, not "see" + d


# --- combined with Harper (the engine) ----------------------------------------------------


@pytest.mark.asyncio
async def test_engine_keeps_the_rule_edit_where_harper_proposes_another(harper_checker) -> None:
    # Harper alone proposes "written" (a participle) for "writed"; the rule knows it is a past.
    result = await harper_checker.check("She writed a letter to him.", language="en")
    assert result.correction == "She wrote a letter to him."
    assert [(e.original, e.correction) for e in result.edits] == [("writed", "wrote")]
    # Harper alone turns "Where" into "Were" here.
    result = await harper_checker.check("Where you live?", language="en")
    assert result.correction == "Where do you live?"
    assert len(result.edits) == 1


@pytest.mark.asyncio
async def test_engine_combines_rule_and_harper_edits_in_one_sentence(harper_checker) -> None:
    # "recieved" is Harper's (spelling); "Yesterday ... go" is the rules'.
    result = await harper_checker.check("Yesterday we go to the shop and I recieved a gift.", language="en")
    assert result.mistake_found
    assert result.correction == "Yesterday we went to the shop and I received a gift."
    assert {e.category for e in result.edits} == {"tense", "spelling"}
    assert result.category == "tense"  # the most severe edit


@pytest.mark.asyncio
async def test_engine_never_suggests_an_before_a_consonant(harper_checker) -> None:
    result = await harper_checker.check("Can you give me an advice?", language="en")
    assert result.mistake_found
    assert " an tip" not in result.correction


@pytest.mark.asyncio
@pytest.mark.parametrize("sentence", CORRECT[:40] + CORRECT[-10:])
async def test_engine_leaves_correct_sentences_alone(harper_checker, sentence: str) -> None:
    result = await harper_checker.check(sentence, language="en")
    assert not result.mistake_found, result.edits


def test_rule_overlap_is_judged_on_the_harper_suggestion_that_is_applied() -> None:
    # The engine applies the first suggestion without "an" before a consonant, not always the
    # first one. Harper 0.2 gives no lint whose skipped suggestions differ in kind from the
    # applied one, so a real lint is rebuilt (Lint.from_json) with other suggestions.
    import json

    import harper

    from engines.grammar_harper import _overlaps, _usable_suggestion

    text = "I want go home."
    linter = harper.Linter()
    [lint] = [x for x in linter.lint(text, language="plaintext") if x.problem_text == "want"]
    assert [(int(s.kind), s.replacement_text) for s in lint.suggestions] == [(2, " to")]  # insert after "want"
    start = text.index("go")
    next_word = rules.RuleEdit(start, start + 2, "go", "goes", "verb_conjugation", "", "test")  # a rule edit

    def with_suggestions(*suggestions: dict) -> harper.Lint:
        data = json.loads(lint.to_json())
        data["inner"]["suggestions"] = list(suggestions)
        return harper.Lint.from_json(json.dumps(data))

    assert _overlaps(lint, next_word)
    # "an tip" is skipped and the insertion applied: it meets the next word.
    inserting = with_suggestions({"ReplaceWith": list("an tip")}, {"InsertAfter": list(" to")})
    assert linter.apply_suggestion(text, inserting, _usable_suggestion(inserting)) == "I want to go home."
    assert _overlaps(inserting, next_word)
    # " an tip" is skipped and the replacement applied: it changes "want" alone.
    replacing = with_suggestions({"InsertAfter": list(" an tip")}, {"ReplaceWith": list("wanted")})
    assert linter.apply_suggestion(text, replacing, _usable_suggestion(replacing)) == "I wanted go home."
    assert not _overlaps(replacing, next_word)
