"""Short explanations of a correction in the learner's native language, from templates.

For grammar engines that cannot write in any language (Harper writes English, LanguageTool
writes in the language of the text): when the learner's native language is not the one the
engine wrote in, each edit gets a one-sentence explanation built from its category and its
edit, e.g. in French « Le verbe ne s'accorde pas : dites « goes » au lieu de « go ». ».
A language model checker is asked for the native language directly and is left alone.
"""

from __future__ import annotations

from dataclasses import replace

from engines.interfaces import GrammarResult
from engines.registry import EngineRegistry
from vocabulary.taxonomy import MistakeCategory as C

# What went wrong, per category.
_LEADS: dict[str, dict[str, str]] = {
    "en": {
        C.VERB_CONJUGATION: "The verb does not agree",
        C.TENSE: "This is the wrong tense",
        C.GENDER_AGREEMENT: "The gender does not agree",
        C.NUMBER: "Singular or plural is wrong here",
        C.ARTICLE: "This is the wrong article",
        C.PREPOSITION: "This is the wrong preposition",
        C.WORD_ORDER: "The word order is wrong",
        C.VOCABULARY: "This word does not fit here",
        C.SPELLING: "This is misspelt",
        C.MISSING_WORD: "A word is missing",
        C.EXTRA_WORD: "There is one word too many",
        C.PRONUNCIATION_FLAG: "This word was probably mispronounced",
        C.OTHER: "This is not quite right",
    },
    "fr": {
        C.VERB_CONJUGATION: "Le verbe ne s'accorde pas",
        C.TENSE: "Le temps du verbe ne convient pas",
        C.GENDER_AGREEMENT: "Le genre ne s'accorde pas",
        C.NUMBER: "Le singulier ou le pluriel ne convient pas",
        C.ARTICLE: "L'article ne convient pas",
        C.PREPOSITION: "La préposition ne convient pas",
        C.WORD_ORDER: "L'ordre des mots ne convient pas",
        C.VOCABULARY: "Ce mot ne convient pas ici",
        C.SPELLING: "Le mot est mal orthographié",
        C.MISSING_WORD: "Il manque un mot",
        C.EXTRA_WORD: "Il y a un mot en trop",
        C.PRONUNCIATION_FLAG: "Ce mot a sans doute été mal prononcé",
        C.OTHER: "Ce n'est pas tout à fait correct",
    },
    "es": {
        C.VERB_CONJUGATION: "El verbo no concuerda",
        C.TENSE: "El tiempo verbal no es el correcto",
        C.GENDER_AGREEMENT: "El género no concuerda",
        C.NUMBER: "El singular o el plural no es correcto",
        C.ARTICLE: "El artículo no es el correcto",
        C.PREPOSITION: "La preposición no es la correcta",
        C.WORD_ORDER: "El orden de las palabras no es correcto",
        C.VOCABULARY: "Esta palabra no encaja aquí",
        C.SPELLING: "La palabra está mal escrita",
        C.MISSING_WORD: "Falta una palabra",
        C.EXTRA_WORD: "Sobra una palabra",
        C.PRONUNCIATION_FLAG: "Esta palabra probablemente se pronunció mal",
        C.OTHER: "No es del todo correcto",
    },
    "de": {
        C.VERB_CONJUGATION: "Die Verbform passt nicht zum Subjekt",
        C.TENSE: "Die Zeitform stimmt nicht",
        C.GENDER_AGREEMENT: "Das Genus passt nicht",
        C.NUMBER: "Singular oder Plural stimmt nicht",
        C.ARTICLE: "Der Artikel stimmt nicht",
        C.PREPOSITION: "Die Präposition stimmt nicht",
        C.WORD_ORDER: "Die Wortstellung stimmt nicht",
        C.VOCABULARY: "Dieses Wort passt hier nicht",
        C.SPELLING: "Das Wort ist falsch geschrieben",
        C.MISSING_WORD: "Hier fehlt ein Wort",
        C.EXTRA_WORD: "Hier ist ein Wort zu viel",
        C.PRONUNCIATION_FLAG: "Dieses Wort wurde wohl falsch ausgesprochen",
        C.OTHER: "Das ist nicht ganz richtig",
    },
}

# What to do instead: replace a span, add one, or leave one out; then how a sentence is put together.
_EDITS: dict[str, dict[str, str]] = {
    "en": {
        "replace": 'say "{correction}" instead of "{original}"',
        "add": 'add "{correction}"',
        "remove": 'leave out "{original}"',
        "sentence": "{lead}: {edit}.",
    },
    "fr": {
        "replace": "dites « {correction} » au lieu de « {original} »",
        "add": "ajoutez « {correction} »",
        "remove": "enlevez « {original} »",
        "sentence": "{lead} : {edit}.",
    },
    "es": {
        "replace": "di «{correction}» en lugar de «{original}»",
        "add": "añade «{correction}»",
        "remove": "quita «{original}»",
        "sentence": "{lead}: {edit}.",
    },
    "de": {
        "replace": "sag „{correction}“ statt „{original}“",
        "add": "ergänze „{correction}“",
        "remove": "lass „{original}“ weg",
        "sentence": "{lead}: {edit}.",
    },
}

EXPLANATION_LANGUAGES = frozenset(_LEADS)


def explanation_from_template(*, category: str, original: str, correction: str, language: str) -> str | None:
    """One sentence in `language` saying what is wrong and what to say; None for a language without templates."""
    leads, edits = _LEADS.get(language), _EDITS.get(language)
    if leads is None or edits is None:
        return None
    original, correction = original.strip(), correction.strip()
    lead = leads.get(category, leads[C.OTHER])
    if original and correction:
        edit = edits["replace"].format(original=original, correction=correction)
    elif correction:
        edit = edits["add"].format(correction=correction)
    elif original:
        edit = edits["remove"].format(original=original)
    else:
        return f"{lead}."
    return edits["sentence"].format(lead=lead, edit=edit)


def grammar_result_explained_in(*, result: GrammarResult, language: str) -> GrammarResult:
    """The result with its explanations in `language`: unchanged when the engine already wrote in it
    (so Harper's own English message stays for an English speaker) or when there are no templates for
    `language`; otherwise every edit's explanation comes from the templates."""
    if result.explanation_language == language or language not in EXPLANATION_LANGUAGES or not result.edits:
        return result
    edits = tuple(
        replace(
            edit,
            explanation=explanation_from_template(
                category=edit.category, original=edit.original, correction=edit.correction, language=language
            )
            or edit.explanation,
        )
        for edit in result.edits
    )
    # The headline is the most severe edit's, picked as GrammarResult.from_edits picks it.
    worst = max(edits, key=lambda edit: edit.severity)
    return replace(result, edits=edits, explanation=worst.explanation, explanation_language=language)


async def grammar_check_explained(
    *, registry: EngineRegistry, utterance: str, language: str, level: str, explanation_language: str | None
) -> GrammarResult:
    """The configured checker's verdict on ``utterance``, explained in ``explanation_language``
    (the learner's native language): by the engine where it can write in it (a language model),
    by the templates above where it cannot (Harper: English, LanguageTool: the text's language)."""
    result = await registry.check_grammar(
        utterance, language=language, level=level, explanation_language=explanation_language
    )
    if explanation_language:
        result = grammar_result_explained_in(result=result, language=explanation_language)
    return result
