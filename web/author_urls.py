"""The author console's route, inside the admin's URL space and behind its staff-only login."""

from django.contrib import admin
from django.urls import path

from web.author import npc_talk

urlpatterns = [
    path("npcs/npc/<slug:npc_id>/talk/", admin.site.admin_view(npc_talk), name="npc-talk"),
]
