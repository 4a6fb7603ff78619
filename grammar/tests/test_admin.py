"""The review queue in the Django admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grammar.models import Mistake, ReviewItem
from grammar.tests.factories import MistakeFactory, ReviewItemFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:grammar_reviewitem_changelist"


@pytest.fixture
def items():
    due = ReviewItemFactory(
        mistake=MistakeFactory(category="article", original="a", correction="an"),
        due_at=timezone.now() - timedelta(days=1),
        interval_days=6,
        ease=2.36,
        repetitions=2,
    )
    later = ReviewItemFactory(
        mistake=MistakeFactory(category="tense", original="go", correction="went"),
        due_at=timezone.now() + timedelta(days=3),
    )
    return due, later


def test_the_changelist_shows_player_category_due_interval_ease_and_repetitions(staff_client, items):
    due, _ = items

    response = staff_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert {item.pk for item in response.context["cl"].result_list} == {item.pk for item in items}
    html = response.content.decode()
    for heading in ("Player", "Category", "Due at", "Interval days", "Ease", "Repetitions"):
        assert heading in html
    assert str(due.player) in html and "Article or determiner" in html and "2.36" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [("due=now", "due"), ("due=later", "later"), ("mistake__category__exact=tense", "later"), ("repetitions=2", "due")],
)
def test_the_filters(staff_client, items, query, expected):
    due, later = items
    response = staff_client.get(reverse(CHANGELIST) + "?" + query)
    assert [item.pk for item in response.context["cl"].result_list] == [{"due": due, "later": later}[expected].pk]


def test_the_status_filter_finds_items_of_rejected_mistakes(staff_client, items):
    due, _ = items
    Mistake.objects.filter(pk=due.mistake_id).update(status=Mistake.Status.REJECTED)
    response = staff_client.get(reverse(CHANGELIST) + "?mistake__status__exact=rejected")
    assert [item.pk for item in response.context["cl"].result_list] == [due.pk]


def test_only_the_due_date_can_be_edited_and_items_cannot_be_added(staff_client, items):
    due, _ = items
    change_url = reverse("admin:grammar_reviewitem_change", args=[due.pk])
    form = staff_client.get(change_url).context["adminform"].form
    assert list(form.fields) == ["due_at"]
    assert staff_client.get(reverse("admin:grammar_reviewitem_add")).status_code == 403

    new_due = timezone.localtime(timezone.now() + timedelta(days=10)).replace(microsecond=0)
    response = staff_client.post(
        change_url, {"due_at_0": new_due.strftime("%Y-%m-%d"), "due_at_1": new_due.strftime("%H:%M:%S"), "ease": "9.9"}
    )

    assert response.status_code == 302
    due.refresh_from_db()
    assert due.due_at == new_due and due.ease == 2.36


def test_the_make_due_now_action_keeps_the_schedule_state(staff_client, items):
    _, later = items
    response = staff_client.post(reverse(CHANGELIST), {"action": "make_due_now", "_selected_action": [later.pk]})
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.due_at <= timezone.now() and later.interval_days == 0
    assert ReviewItem.objects.filter(due_at__lte=timezone.now()).count() == 2
