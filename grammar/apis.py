"""Learning REST API (PROTOCOL.md, "Learning"): grammar checks, mistake statistics, review."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from grammar.exercises import ExerciseNotFound, review_session_build
from grammar.models import Mistake
from grammar.review import review_answer_submit, review_should_trigger
from grammar.selectors import grammar_check_result, mistake_can_curate, mistake_get, mistake_top_categories
from grammar.serializers import (
    CategoryCountSerializer,
    CorrectRequestSerializer,
    GrammarResultSerializer,
    MistakeCurationSerializer,
    MistakesQuerySerializer,
    ReviewAnswerSerializer,
    ReviewCheckSerializer,
)
from grammar.services import grammar_check_utterance, mistake_reject, mistake_restore
from players.authentication import PlayerTokenAuthentication, player_from_request
from players.models import Player


class CorrectApi(APIView):
    @extend_schema(request=CorrectRequestSerializer, responses=GrammarResultSerializer)
    def post(self, request, player_id: str):
        player = player_from_request(request=request, player_id=player_id)
        serializer = CorrectRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = grammar_check_utterance(
            player=player,
            utterance=serializer.validated_data["utterance"],
            language=serializer.validated_data.get("language", player.target_language),
        )
        return Response(grammar_check_result(check=check))


class MistakesApi(APIView):
    @extend_schema(parameters=[MistakesQuerySerializer], responses=CategoryCountSerializer(many=True))
    def get(self, request, player_id: str):
        player = player_from_request(request=request, player_id=player_id)
        query = MistakesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = query.validated_data.get("days")
        since = timezone.now() - timedelta(days=days) if days else None
        return Response(mistake_top_categories(player=player, since=since))


class ReviewCheckApi(APIView):
    @extend_schema(request=ReviewCheckSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        serializer = ReviewCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        player = player_from_request(request=request, player_id=serializer.validated_data["player_id"])
        if not review_should_trigger(player=player, active_minutes=serializer.validated_data["active_minutes"]):
            return Response({"trigger_review": False})
        return Response({"trigger_review": True, "session": review_session_build(player=player)})


class ReviewGenerateApi(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, player_id: str):
        player = player_from_request(request=request, player_id=player_id)
        return Response(review_session_build(player=player))


class ReviewAnswerApi(APIView):
    @extend_schema(request=ReviewAnswerSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, player_id: str):
        player = player_from_request(request=request, player_id=player_id)
        serializer = ReviewAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            return Response(review_answer_submit(player=player, **serializer.validated_data))
        except ExerciseNotFound as exc:
            raise exceptions.NotFound(str(exc) or "No such exercise for this player.") from exc


class IsCuratorNotPlayer(BasePermission):
    """A signed-in Django user (staff or teacher), never a game client's player token."""

    message = "Only staff and teachers can curate mistakes; a player token cannot."

    def has_permission(self, request, view) -> bool:
        return request.user.is_authenticated and not isinstance(request.auth, Player)


class _MistakeCurationApi(APIView):
    """Teachers curate mistakes: staff, or a teacher of a classroom the learner is in.

    Signed in through the Django session (the admin's login; CSRF applies). The player
    token authenticator is listed too, only so that a game client's token is recognised and
    refused with a clear 403 instead of being taken for the player's linked user.
    """

    authentication_classes = [SessionAuthentication, PlayerTokenAuthentication]
    permission_classes = [IsCuratorNotPlayer]
    # Each endpoint below defines curate(*, mistakes) -> int: what it does to the mistake.

    @extend_schema(request=None, responses=MistakeCurationSerializer)
    def post(self, request, mistake_id: int):
        mistake = mistake_get(mistake_id=mistake_id)
        if mistake is None:
            raise exceptions.NotFound(f"No mistake {mistake_id}.")
        if not mistake_can_curate(user=request.user, mistake=mistake):
            raise exceptions.PermissionDenied("This learner is in none of your classes.")
        self.curate(mistakes=Mistake.objects.filter(pk=mistake.pk))
        return Response(MistakeCurationSerializer(mistake_get(mistake_id=mistake_id)).data)


class MistakeRejectApi(_MistakeCurationApi):
    """Reject a mistake as a false positive: it leaves the statistics and the review queue."""

    def curate(self, *, mistakes) -> int:
        return mistake_reject(mistakes=mistakes, rejected_by=self.request.user)


class MistakeRestoreApi(_MistakeCurationApi):
    """Undo a rejection: the mistake counts again and its review item is back in the queue."""

    def curate(self, *, mistakes) -> int:
        return mistake_restore(mistakes=mistakes)
