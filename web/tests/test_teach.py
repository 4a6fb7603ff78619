import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grammar.models import Mistake
from grammar.selectors import mistake_top_categories
from web.selectors import Trend, learner_trend
from web.tests.practice import A_APPLE, DONT, GOED, conversation_with, turn_with


def class_pages(classroom, player_id="learner_ana"):
    return [
        reverse("teach-class", args=[classroom.pk]),
        reverse("teach-export", args=[classroom.pk]),
        reverse("teach-learner", args=[classroom.pk, player_id]),
    ]


@pytest.mark.django_db
def test_the_teacher_sees_their_own_classes_only(teacher_client, classroom, foreign_classroom):
    response = teacher_client.get(reverse("teach"))

    assert list(response.context["classrooms"]) == [classroom]
    assert reverse("teach-class", args=[classroom.pk]) in response.content.decode()
    assert "Other class" not in response.content.decode()


@pytest.mark.django_db
def test_every_class_page_sends_a_visitor_to_the_login_form(client, classroom):
    for url in [reverse("teach"), *class_pages(classroom)]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


@pytest.mark.django_db
def test_another_teachers_class_and_an_unknown_class_are_404_on_every_page(
    teacher_client, classroom, foreign_classroom
):
    for url in [*class_pages(foreign_classroom, "learner_ben"), *class_pages(classroom.__class__(pk=99999))]:
        assert teacher_client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_a_learner_reaches_no_class_page_not_even_their_own_class(client, classroom, learner):
    client.force_login(learner.user)

    for url in class_pages(classroom):
        assert client.get(url).status_code == 404, url
    assert list(client.get(reverse("teach")).context["classrooms"]) == []


@pytest.mark.django_db
def test_a_learner_who_is_not_in_the_class_is_404(teacher_client, classroom, other_learner):
    url = reverse("teach-learner", args=[classroom.pk, other_learner.player_id])

    assert teacher_client.get(url).status_code == 404


def _practise(player, npc, *, turns, mistakes, days_ago):
    at = timezone.now() - timedelta(days=days_ago)
    conversation = conversation_with(player=player, npc=npc, at=at)
    for index in range(turns):
        edits = (DONT,) if index < mistakes else ()
        turn_with(conversation=conversation, transcript=f"She don't like apples {index}.", edits=edits, at=at)


@pytest.mark.django_db
def test_the_dashboard_shows_each_learners_week_trend_and_who_needs_attention(
    teacher_client, classroom, learner, other_learner, baker
):
    classroom.learners.add(other_learner)
    # Ana: 4 turns with 1 mistake this week, 4 turns with 4 mistakes the week before: improving.
    _practise(learner, baker, turns=4, mistakes=1, days_ago=1)
    _practise(learner, baker, turns=4, mistakes=4, days_ago=9)
    # Ben: silent this week.
    _practise(other_learner, baker, turns=3, mistakes=1, days_ago=10)

    response = teacher_client.get(reverse("teach-class", args=[classroom.pk]))

    rows = {row.player.player_id: row for row in response.context["board"].rows}
    assert (rows["learner_ana"].turns_week, rows["learner_ana"].mistakes_week) == (4, {"verb_conjugation": 1})
    assert rows["learner_ana"].trend == Trend.IMPROVING
    assert rows["learner_ben"].turns_week == 0 and rows["learner_ben"].trend == Trend.UNKNOWN
    assert [row.player.player_id for row in response.context["board"].needs_attention] == ["learner_ben"]
    html = response.content.decode()
    assert "no practice this week" in html
    assert "Mistakes per turn over the last 7 days" in html  # the trend is defined on the page
    assert response.context["chart"] == {"labels": ["Verb conjugation"], "data": [6]}
    assert reverse("teach-learner", args=[classroom.pk, "learner_ben"]) in html


@pytest.mark.parametrize(
    ("turns", "mistakes", "previous_turns", "previous_mistakes", "trend"),
    [
        (5, 1, 5, 3, Trend.IMPROVING),
        (5, 3, 5, 1, Trend.WORSE),
        (5, 2, 5, 2, Trend.STEADY),
        (10, 5, 10, 5.5, Trend.STEADY),
        (2, 0, 10, 9, Trend.UNKNOWN),
        (10, 9, 2, 0, Trend.UNKNOWN),
        (5, 1, 5, 0, Trend.WORSE),
        (5, 0, 5, 0, Trend.STEADY),
    ],
)
def test_the_trend_compares_mistakes_per_turn_week_on_week(turns, mistakes, previous_turns, previous_mistakes, trend):
    assert (
        learner_trend(
            turns=turns, mistakes=mistakes, previous_turns=previous_turns, previous_mistakes=previous_mistakes
        )
        == trend
    )


@pytest.mark.django_db
def test_the_export_is_the_class_table_as_csv(teacher_client, classroom, learner, baker):
    _practise(learner, baker, turns=3, mistakes=2, days_ago=0)

    response = teacher_client.get(reverse("teach-export", args=[classroom.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["player_id"] == "learner_ana"
    assert (rows[0]["turns_this_week"], rows[0]["mistakes_this_week"]) == ("3", "2")
    assert rows[0]["mistakes_this_week_verb_conjugation"] == "2"
    assert rows[0]["mistakes_this_week_tense"] == "0"


@pytest.mark.django_db
def test_the_learner_page_shows_mistakes_and_conversations_with_each_turns_corrections(
    teacher_client, classroom, learner, baker
):
    conversation = conversation_with(player=learner, npc=baker)
    turn_with(
        conversation=conversation,
        transcript="She don't like a apple.",
        corrected="She doesn't like an apple.",
        edits=(DONT, A_APPLE),
        reply="Oh, why not?",
    )
    turn_with(conversation=conversation, transcript="Thank you.", reply="You're welcome!")

    response = teacher_client.get(reverse("teach-learner", args=[classroom.pk, learner.player_id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "She <del>don&#x27;t</del> like <del>a</del> apple." in html
    assert "Tom: Oh, why not?" in html and "Tom: You&#x27;re welcome!" in html
    assert html.count("Reject: not a mistake") == 2
    assert len(response.context["transcripts"][0]["turns"]) == 2


@pytest.mark.django_db
def test_the_teacher_rejects_a_false_positive_and_restores_it(teacher_client, teacher, classroom, learner, baker):
    turn = turn_with(conversation=conversation_with(player=learner, npc=baker), transcript="I goed.", edits=(GOED,))
    mistake = turn.grammar_check.mistakes.get()
    url = reverse("teach-mistake-curate", args=[classroom.pk, learner.player_id, mistake.pk, "reject"])

    response = teacher_client.post(url, HTTP_HX_REQUEST="true")

    mistake.refresh_from_db()
    assert (mistake.status, mistake.rejected_by) == (Mistake.Status.REJECTED, teacher)
    assert mistake_top_categories(player=learner) == []
    assert "Restore" in response.content.decode() and "<html" not in response.content.decode()

    restore = reverse("teach-mistake-curate", args=[classroom.pk, learner.player_id, mistake.pk, "restore"])
    assert teacher_client.post(restore).status_code == 302
    mistake.refresh_from_db()
    assert mistake.status == Mistake.Status.ACTIVE


@pytest.mark.django_db
def test_curation_outside_the_teachers_classes_is_404_and_changes_nothing(
    teacher_client, classroom, foreign_classroom, learner, other_learner, baker
):
    theirs = turn_with(
        conversation=conversation_with(player=other_learner, npc=baker), transcript="I goed.", edits=(GOED,)
    )
    mistake = theirs.grammar_check.mistakes.get()

    for url in [
        reverse("teach-mistake-curate", args=[foreign_classroom.pk, other_learner.player_id, mistake.pk, "reject"]),
        # Through the teacher's own class and learner, but the mistake is another learner's.
        reverse("teach-mistake-curate", args=[classroom.pk, learner.player_id, mistake.pk, "reject"]),
    ]:
        assert teacher_client.post(url).status_code == 404
    mistake.refresh_from_db()
    assert mistake.status == Mistake.Status.ACTIVE


@pytest.mark.django_db
def test_curation_is_a_post(teacher_client, classroom, learner, baker):
    turn = turn_with(conversation=conversation_with(player=learner, npc=baker), transcript="I goed.", edits=(GOED,))
    url = reverse(
        "teach-mistake-curate", args=[classroom.pk, learner.player_id, turn.grammar_check.mistakes.get().pk, "reject"]
    )

    assert teacher_client.get(url).status_code == 405
    assert teacher_client.post(url.replace("/reject", "/delete")).status_code == 404
