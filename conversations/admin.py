from django.contrib import admin

from conversations.models import Conversation, Turn


class TurnInline(admin.TabularInline):
    model = Turn
    fields = [
        "index",
        "input_mode",
        "transcript",
        "npc_reply",
        "status",
        "audio_in_ms",
        "metrics",
        "engines",
        "created_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Read-only: conversations are records of what was said."""

    list_display = ["id", "player", "npc", "language", "started_at", "ended_at", "turn_count"]
    list_filter = ["npc", "language", "started_at"]
    search_fields = ["player__player_id", "npc__npc_id"]
    list_select_related = ["player", "npc"]
    date_hierarchy = "started_at"
    inlines = [TurnInline]

    @admin.display(description="turns")
    def turn_count(self, obj: Conversation) -> int:
        return obj.turns.count()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
