"""Learner pages (/learn/): their mistakes, a review session, their progress."""

from datetime import datetime, time, timedelta
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from conversations.selectors import practice_summary
from grammar.exercises import ExerciseNotFound, review_session_build
from grammar.review import review_answer_submit
from grammar.selectors import mistake_category_counts, mistake_list, review_items_due_count
from players.selectors import player_for_user
from web.forms import MistakeFilterForm, ReviewAnswerForm
from web.selectors import progress_chart

MISTAKES_PER_PAGE = 20


def learner_required(view):
    """Signed in as a user linked to a player; the view gets that player, never another."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        player = player_for_user(user=request.user)
        if player is None:
            raise PermissionDenied("This account is not a learner's: it is linked to no player.")
        return view(request, *args, player=player, **kwargs)

    return wrapper


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@learner_required
def mistakes(request, *, player):
    npcs = practice_summary(player=player, today=timezone.localdate())["npcs_met"]
    form = MistakeFilterForm(request.GET or None, npcs=npcs)
    filters = form.cleaned_data if form.is_valid() else {}
    found = mistake_list(
        player=player,
        category=filters.get("category") or None,
        npc_id=filters.get("npc") or None,
        since=_day_start(filters["since"]) if filters.get("since") else None,
        until=_day_start(filters["until"] + timedelta(days=1)) if filters.get("until") else None,
    )
    page = Paginator(found, MISTAKES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/learn/mistakes.html",
        {"player": player, "form": form, "page": page, "query": query.urlencode(), "section": "mistakes"},
    )


def _review_key(player) -> str:
    return f"review.{player.pk}"


@learner_required
@require_http_methods(["GET", "POST"])
def review(request, *, player):
    """A short session, one exercise at a time: the same session and answer check as the review API
    (grammar.exercises, grammar.review), kept in the Django session while the learner works through it."""
    key = _review_key(player)
    session = request.session.get(key)
    today = timezone.localdate().isoformat()
    stale = session is None or session.get("day") != today
    if request.method == "GET" and (stale or "new" in request.GET):
        built = review_session_build(player=player)
        session = {"exercises": built["exercises"], "position": 0, "results": [], "day": today}
        request.session[key] = session
        if "new" in request.GET:
            return redirect("learn-review")
    context = {"player": player, "section": "review", "total": len(session["exercises"]) if session else 0}
    if request.method == "POST":
        form = ReviewAnswerForm(request.POST)
        position = session["position"] if session else 0
        exercises = session["exercises"] if session else []
        if (
            not form.is_valid()
            or position >= len(exercises)
            or form.cleaned_data["exercise_id"] != exercises[position]["id"]
        ):
            # An answer to another session's or an already answered exercise: show where the learner is.
            return redirect("learn-review")
        exercise = exercises[position]
        try:
            result = review_answer_submit(player=player, exercise_id=exercise["id"], answer=form.cleaned_data["answer"])
        except ExerciseNotFound:
            # Its mistake was rejected as a false positive meanwhile: it left the queue.
            result = None
        session["position"] = position + 1
        session["results"].append(bool(result and result["correct"]))
        request.session.modified = True
        context.update(
            exercise=exercise, answer=form.cleaned_data["answer"], result=result, number=position + 1, feedback=True
        )
        template = "web/learn/_exercise.html" if request.headers.get("HX-Request") else "web/learn/review.html"
        return render(request, template, context)
    position = session["position"]
    if position < len(session["exercises"]):
        exercise = session["exercises"][position]
        context.update(
            exercise=exercise, number=position + 1, form=ReviewAnswerForm(initial={"exercise_id": exercise["id"]})
        )
    else:
        context.update(
            done=True,
            correct=sum(session["results"]),
            due_left=review_items_due_count(player=player),
        )
    return render(request, "web/learn/review.html", context)


@learner_required
def progress(request, *, player):
    now = timezone.now()
    return render(
        request,
        "web/learn/progress.html",
        {
            "player": player,
            "section": "progress",
            "summary": practice_summary(player=player, today=timezone.localdate()),
            "chart": progress_chart(player=player, now=now),
            "top_categories": mistake_category_counts(players=[player])[:5],
            "due": review_items_due_count(player=player),
        },
    )
