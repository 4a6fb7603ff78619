"""Game events REST API (PROTOCOL.md, "Game events")."""

from asgiref.sync import async_to_sync
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from players.authentication import player_from_request
from players.serializers import GameEventAcceptedSerializer, GameEventSerializer, PlayerStateSerializer
from players.world_state import (
    InvalidWorldEventPayloadError,
    UnknownWorldEventError,
    get_world_state_store,
    world_state_record_event,
)


class GameEventApi(APIView):
    @extend_schema(request=GameEventSerializer, responses=GameEventAcceptedSerializer)
    def post(self, request):
        serializer = GameEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = serializer.validated_data
        player = player_from_request(request=request, player_id=event["player_id"])
        try:
            async_to_sync(world_state_record_event)(
                player_id=player.player_id, event_type=event["event_type"], payload=event["payload"]
            )
        except UnknownWorldEventError as exc:
            raise exceptions.ValidationError({"event_type": [str(exc)]}) from exc
        except InvalidWorldEventPayloadError as exc:
            raise exceptions.ValidationError({"payload": [str(exc)]}) from exc
        return Response({"status": "ok", "event": event["event_type"]})


class PlayerStateApi(APIView):
    @extend_schema(responses=PlayerStateSerializer)
    def get(self, request, player_id: str):
        player = player_from_request(request=request, player_id=player_id)
        state = async_to_sync(get_world_state_store().state_get)(player_id=player.player_id)
        return Response(state.to_dict(language=player.target_language, proficiency_level=player.proficiency_level))
