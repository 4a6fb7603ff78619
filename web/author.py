"""The author's NPC console in the admin: talk to an NPC by voice or text from the browser."""

from django.contrib import admin
from django.shortcuts import get_object_or_404, render

from npcs.models import NPC
from web.services import console_player_prepare

CONSOLE_EVENTS = ["npc_text_delta", "metrics", "transcription_partial", "speech_started", "speech_stopped"]


def npc_talk(request, npc_id: str):
    npc = get_object_or_404(NPC, npc_id=npc_id)
    player, token = console_player_prepare(user=request.user, npc=npc)
    return render(
        request,
        "admin/npcs/npc/talk.html",
        {
            **admin.site.each_context(request),
            "title": f"Talk to {npc.name}",
            "npc": npc,
            "opts": NPC._meta,
            "original": npc,
            "console": {
                "path": f"/api/conversations/ws/stream/{player.player_id}/{npc.npc_id}",
                "token": token,
                "events": CONSOLE_EVENTS,
                "player_id": player.player_id,
            },
        },
    )
