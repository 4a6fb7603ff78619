from django.contrib import admin, messages

from players.models import Classroom, Player, Relationship
from players.services import player_token_issue


@admin.register(Player)
class PlayerAdmin(admin.ModelAdmin):
    list_display = ["player_id", "display_name", "target_language", "proficiency_level", "has_token", "created_at"]
    list_filter = ["target_language", "native_language", "proficiency_level", "classrooms"]
    search_fields = ["player_id", "display_name", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["token_created_at", "created_at", "updated_at"]
    actions = ["regenerate_tokens"]

    @admin.display(boolean=True, description="token")
    def has_token(self, obj: Player) -> bool:
        return obj.has_token

    def save_model(self, request, obj: Player, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            token = player_token_issue(player=obj)
            self.message_user(
                request,
                f"API token for {obj.player_id}: {token} (shown only now; copy it into the game).",
                messages.WARNING,
            )

    @admin.action(description="Regenerate API tokens (the old ones stop working)")
    def regenerate_tokens(self, request, queryset) -> None:
        for player in queryset:
            token = player_token_issue(player=player)
            self.message_user(
                request, f"New API token for {player.player_id}: {token} (shown only now).", messages.WARNING
            )


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["player", "npc", "score", "updated_at"]
    list_filter = ["npc"]
    search_fields = ["player__player_id", "npc__npc_id"]
    autocomplete_fields = ["player", "npc"]


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ["name", "teacher", "learner_count", "created_at"]
    search_fields = ["name", "teacher__username"]
    autocomplete_fields = ["teacher"]
    filter_horizontal = ["learners"]

    @admin.display(description="learners")
    def learner_count(self, obj: Classroom) -> int:
        return obj.learners.count()
