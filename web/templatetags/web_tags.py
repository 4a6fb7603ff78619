"""Template helpers of the pages: the changed words of a correction, category names."""

import difflib
import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from web.selectors import category_label

register = template.Library()

_TOKENS = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]")


@register.filter(name="category_label")
def category_label_filter(category: str) -> str:
    return category_label(category)


def words_diff(original: str, corrected: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both sentences as (token, changed) pairs, compared word by word, case and all."""
    before, after = _TOKENS.findall(original), _TOKENS.findall(corrected)
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        changed = tag != "equal"
        left += [(token, changed) for token in before[i1:i2]]
        right += [(token, changed) for token in after[j1:j2]]
    return left, right


def _render(tokens: list[tuple[str, bool]], tag: str) -> SafeString:
    html = []
    for index, (token, changed) in enumerate(tokens):
        # Words are spaced, punctuation sticks to the word before it.
        space = " " if index and re.match(r"\w", token) else ""
        html.append(
            format_html("{}<{}>{}</{}>", space, tag, token, tag) if changed else format_html("{}{}", space, token)
        )
    return mark_safe("".join(html))  # each part escaped by format_html


@register.simple_tag
def said(original: str, correction: str) -> SafeString:
    """What the learner said, the words the correction changed struck out."""
    return _render(words_diff(original, correction)[0], "del")


@register.simple_tag
def corrected(original: str, correction: str) -> SafeString:
    """The correction, the changed words marked."""
    return _render(words_diff(original, correction)[1], "ins")
