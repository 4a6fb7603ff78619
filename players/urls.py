from django.urls import path

from players.apis import GameEventApi, PlayerStateApi

urlpatterns = [
    path("events/", GameEventApi.as_view(), name="game-event"),
    path("events/<slug:player_id>/state", PlayerStateApi.as_view(), name="player-state"),
]
