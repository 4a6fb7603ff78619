from datetime import UTC, datetime, timedelta

import pytest

from grammar.models import Mistake
from grammar.selectors import (
    mistake_forms_by_category,
    mistake_top_categories,
    review_item_get,
    review_items_due,
    review_items_due_count,
    review_items_upcoming,
)
from grammar.tests.factories import MistakeFactory, ReviewItemFactory
from players.tests.factories import PlayerFactory

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _mistake(player, **fields):
    return MistakeFactory(grammar_check__turn__conversation__player=player, **fields)


def _item(player, *, due_in_days: float, **mistake_fields):
    return ReviewItemFactory(mistake=_mistake(player, **mistake_fields), due_at=NOW + timedelta(days=due_in_days))


@pytest.mark.django_db
def test_due_items_are_the_players_active_overdue_ones_most_overdue_first(player):
    late = _item(player, due_in_days=-3)
    on_time = _item(player, due_in_days=0)
    oldest = _item(player, due_in_days=-10)
    _item(player, due_in_days=1)
    _item(PlayerFactory(), due_in_days=-5)
    rejected = _item(player, due_in_days=-20)
    Mistake.objects.filter(pk=rejected.mistake_id).update(status=Mistake.Status.REJECTED)

    assert review_items_due(player=player, now=NOW, limit=10) == [oldest, late, on_time]
    assert review_items_due(player=player, now=NOW, limit=2) == [oldest, late]
    assert review_items_due_count(player=player, now=NOW) == 3


@pytest.mark.django_db
def test_upcoming_items_follow_the_category_ranking_then_the_due_date(player):
    article_soon = _item(player, due_in_days=1, category="article", original="a", correction="an")
    verb_later = _item(player, due_in_days=5)
    verb_soon = _item(player, due_in_days=2, original="go", correction="goes")
    _item(player, due_in_days=1, category="spelling", original="aple", correction="apple")
    _item(player, due_in_days=-1)

    items = review_items_upcoming(player=player, categories=["verb_conjugation", "article"], now=NOW, limit=10)

    assert items == [verb_soon, verb_later, article_soon]
    assert review_items_upcoming(player=player, categories=[], now=NOW, limit=10) == []


@pytest.mark.django_db
def test_an_item_is_found_only_for_its_player_while_its_mistake_is_active(player):
    item = _item(player, due_in_days=0)
    assert review_item_get(player=player, review_item_id=item.id) == item
    assert review_item_get(player=PlayerFactory(), review_item_id=item.id) is None

    Mistake.objects.filter(pk=item.mistake_id).update(status=Mistake.Status.REJECTED)
    assert review_item_get(player=player, review_item_id=item.id) is None


@pytest.mark.django_db
def test_top_categories_count_active_mistakes_most_frequent_first(player):
    for original in ["go", "have", "be"]:
        _mistake(player, original=original)
    for original, correction in [("a", "an"), ("an", "a")]:
        _mistake(player, category="article", original=original, correction=correction)
    _mistake(player, category="spelling", original="aple", correction="apple")
    _mistake(player, category="preposition", original="in", correction="on")
    _mistake(player, category="tense", status=Mistake.Status.REJECTED)
    _mistake(PlayerFactory(), category="tense")

    assert mistake_top_categories(player=player) == [
        {"category": "verb_conjugation", "count": 3},
        {"category": "article", "count": 2},
        # Ties in alphabetical order, so the answer does not change between calls.
        {"category": "preposition", "count": 1},
        {"category": "spelling", "count": 1},
    ]


@pytest.mark.django_db
def test_top_categories_can_be_limited_to_recent_mistakes(player):
    old = _mistake(player, category="article", original="a", correction="an")
    _mistake(player)
    Mistake.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=30))
    Mistake.objects.exclude(pk=old.pk).update(created_at=NOW - timedelta(days=1))

    assert mistake_top_categories(player=player, since=NOW - timedelta(days=7)) == [
        {"category": "verb_conjugation", "count": 1}
    ]


@pytest.mark.django_db
def test_forms_by_category_are_the_players_active_spans_without_repeats(player):
    _mistake(player, original="goed", correction="went")
    _mistake(player, original="don't", correction="doesn't")
    _mistake(player, original="don't", correction="doesn't")
    _mistake(player, category="article", original="", correction="the")
    _mistake(player, original="is", correction="are", status=Mistake.Status.REJECTED)
    _mistake(PlayerFactory(), original="have", correction="has")

    forms = mistake_forms_by_category(player=player, categories=["verb_conjugation", "article", "tense"])

    assert forms == {"verb_conjugation": ["don't", "doesn't", "goed", "went"], "article": ["the"], "tense": []}
