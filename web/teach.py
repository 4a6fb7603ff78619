"""Teacher pages (/teach/): their classes, a class dashboard, a learner's mistakes and conversations.

A teacher reaches only their own classes and the learners in them: anything else is a 404,
the same answer as for a class that does not exist.
"""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from conversations.selectors import conversation_list, practice_summary
from grammar.models import Mistake
from grammar.selectors import grammar_checks_by_turn, mistake_get, mistake_list
from grammar.services import mistake_reject, mistake_restore
from players.selectors import classroom_get_for_teacher, classroom_learner_get, classroom_list_for_teacher
from web.selectors import ATTENTION_DEFINITION, TREND_DEFINITION, category_label, class_dashboard, class_table

LEARNER_MISTAKES_SHOWN = 50
LEARNER_CONVERSATIONS_SHOWN = 10


def _own_classroom(request, classroom_id: int):
    classroom = classroom_get_for_teacher(teacher=request.user, classroom_id=classroom_id)
    if classroom is None:
        raise Http404("No such class among yours.")
    return classroom


def _own_learner(request, classroom_id: int, player_id: str):
    classroom = _own_classroom(request, classroom_id)
    learner = classroom_learner_get(classroom=classroom, player_id=player_id)
    if learner is None:
        raise Http404("No such learner in this class.")
    return classroom, learner


@login_required
def classes(request):
    return render(request, "web/teach/classes.html", {"classrooms": classroom_list_for_teacher(teacher=request.user)})


@login_required
def dashboard(request, classroom_id: int):
    classroom = _own_classroom(request, classroom_id)
    board = class_dashboard(classroom=classroom, now=timezone.now())
    chart = {
        "labels": [category_label(row["category"]) for row in board.top_categories],
        "data": [row["count"] for row in board.top_categories],
    }
    return render(
        request,
        "web/teach/dashboard.html",
        {
            "classroom": classroom,
            "board": board,
            "chart": chart,
            "trend_definition": TREND_DEFINITION,
            "attention_definition": ATTENTION_DEFINITION,
        },
    )


@login_required
def export_csv(request, classroom_id: int):
    classroom = _own_classroom(request, classroom_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="class-{classroom.pk}-{timezone.localdate()}.csv"'
    csv.writer(response).writerows(class_table(dashboard=class_dashboard(classroom=classroom, now=timezone.now())))
    return response


@login_required
def learner(request, classroom_id: int, player_id: str):
    classroom, player = _own_learner(request, classroom_id, player_id)
    conversations = conversation_list(player=player, limit=LEARNER_CONVERSATIONS_SHOWN)
    checks = grammar_checks_by_turn(turn_ids=[turn.pk for c in conversations for turn in c.turns.all()])
    transcripts = [
        {"conversation": c, "turns": [{"turn": turn, "check": checks.get(turn.pk)} for turn in c.turns.all()]}
        for c in conversations
    ]
    return render(
        request,
        "web/teach/learner.html",
        {
            "classroom": classroom,
            "learner": player,
            "summary": practice_summary(player=player, today=timezone.localdate()),
            "mistakes": mistake_list(player=player, include_rejected=True)[:LEARNER_MISTAKES_SHOWN],
            "transcripts": transcripts,
        },
    )


@login_required
@require_POST
def mistake_curate(request, classroom_id: int, player_id: str, mistake_id: int, action: str):
    """Reject a false positive or restore it, through grammar's curation services."""
    if action not in {"reject", "restore"}:
        raise Http404("No such action.")
    classroom, player = _own_learner(request, classroom_id, player_id)
    mistake = mistake_get(mistake_id=mistake_id)
    if mistake is None or mistake.player_id != player.pk:
        raise Http404("No such mistake of this learner.")
    mistakes = Mistake.objects.filter(pk=mistake.pk)
    if action == "reject":
        mistake_reject(mistakes=mistakes, rejected_by=request.user)
    else:
        mistake_restore(mistakes=mistakes)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "web/teach/_mistake.html",
            {"classroom": classroom, "learner": player, "mistake": mistake_get(mistake_id=mistake_id)},
        )
    return redirect("teach-learner", classroom_id=classroom.pk, player_id=player.player_id)
