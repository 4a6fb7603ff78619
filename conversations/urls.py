from django.urls import path

from conversations.apis import TextTurnApi

urlpatterns = [
    path("conversations/<slug:player_id>/<slug:npc_id>/conversation", TextTurnApi.as_view(), name="text-turn"),
]
