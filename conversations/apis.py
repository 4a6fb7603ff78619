"""A typed or spoken turn over REST: the same orchestrator as the WebSocket, for debugging and tests."""

import base64
import time
from typing import Any

from asgiref.sync import async_to_sync
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations.models import Turn
from conversations.orchestrator import TurnOrchestrator, TurnOutput, TurnRequest
from conversations.serializers import TextTurnRequestSerializer, TextTurnResponseSerializer
from conversations.services import conversation_end, conversation_start
from engines.interfaces import Audio
from engines.registry import get_registry
from npcs.selectors import npc_get_active
from players.authentication import player_from_request
from vocabulary.audio import wav_encode


class TextTurnApi(APIView):
    @extend_schema(request=TextTurnRequestSerializer, responses=TextTurnResponseSerializer)
    def post(self, request, player_id: str, npc_id: str):
        player = player_from_request(request=request, player_id=player_id)
        npc = npc_get_active(npc_id=npc_id)
        if npc is None:
            raise exceptions.NotFound(f"There is no active NPC {npc_id!r}.")
        serializer = TextTurnRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        audio: list[Audio] = []

        async def ignore_event(event: dict[str, Any]) -> None:
            """The socket's events are not needed: the response is built from the turn's result."""

        async def collect_audio(chunk: Audio) -> None:
            audio.append(chunk)

        conversation = conversation_start(player=player, npc=npc, language=npc.language)
        orchestrator = TurnOrchestrator(
            engines=get_registry(),
            output=TurnOutput(send_event=ignore_event, send_audio=collect_audio, wants=lambda name: False),
            player=player,
            npc=npc,
            conversation=conversation,
            language=npc.language,
        )
        received_at = time.monotonic()
        speech = serializer.validated_data.get("audio_wav_base64")
        if speech is not None:  # already 16 kHz mono PCM16 (the serializer decoded and resampled it)
            turn_request = TurnRequest(received_at=received_at, input_mode=Turn.InputMode.SPEECH, pcm=speech)
        else:
            turn_request = TurnRequest(
                received_at=received_at, input_mode=Turn.InputMode.TEXT, text=serializer.validated_data["text"]
            )
        try:
            result = async_to_sync(orchestrator.run)(turn_request)
        finally:
            conversation_end(conversation=conversation)

        body: dict[str, Any] = {
            "turn_id": str(result.turn_id),
            "transcript": result.transcript,
            "reply": result.reply,
            "error": {"code": result.error.code, "message": result.error.message} if result.error else None,
            "metrics": result.metrics,
        }
        if serializer.validated_data["audio"]:
            body["audio_wav_base64"] = [
                base64.b64encode(wav_encode(pcm=chunk.pcm, sample_rate=chunk.sample_rate)).decode("ascii")
                for chunk in audio
            ]
        return Response(body)
