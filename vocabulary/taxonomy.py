"""The fixed grammar taxonomy (shared/grammar_eval/README.md): every engine maps to it."""

from django.db import models


class MistakeCategory(models.TextChoices):
    VERB_CONJUGATION = "verb_conjugation", "Verb conjugation"
    TENSE = "tense", "Tense"
    GENDER_AGREEMENT = "gender_agreement", "Gender agreement"
    NUMBER = "number", "Number (singular/plural)"
    ARTICLE = "article", "Article or determiner"
    PREPOSITION = "preposition", "Preposition"
    WORD_ORDER = "word_order", "Word order"
    VOCABULARY = "vocabulary", "Vocabulary"
    SPELLING = "spelling", "Spelling"
    MISSING_WORD = "missing_word", "Missing word"
    EXTRA_WORD = "extra_word", "Extra word"
    PRONUNCIATION_FLAG = "pronunciation_flag", "Likely mispronunciation"
    OTHER = "other", "Other"
