from django.contrib import admin, messages

from grammar.models import GrammarCheck, Mistake
from grammar.services import mistake_reject


class MistakeInline(admin.TabularInline):
    model = Mistake
    fields = ["category", "original", "correction", "explanation", "severity", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GrammarCheck)
class GrammarCheckAdmin(admin.ModelAdmin):
    """Read-only record of each check, so failed and unavailable checks are visible."""

    list_display = ["id", "player", "language", "engine", "status", "short_utterance", "attempts", "created_at"]
    list_filter = ["status", "language", "engine", "created_at"]
    search_fields = ["utterance", "player__player_id"]
    list_select_related = ["player"]
    date_hierarchy = "created_at"
    inlines = [MistakeInline]

    @admin.display(description="utterance")
    def short_utterance(self, obj: GrammarCheck) -> str:
        return obj.utterance[:60]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Mistake)
class MistakeAdmin(admin.ModelAdmin):
    list_display = ["original", "correction", "category", "severity", "player", "status", "created_at"]
    list_filter = ["category", "severity", "status", "player", "created_at"]
    search_fields = ["original", "correction", "explanation", "player__player_id"]
    list_select_related = ["player"]
    date_hierarchy = "created_at"
    readonly_fields = ["grammar_check", "player", "rejected_by", "rejected_at", "created_at"]
    actions = ["reject_as_false_positive"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Reject as false positive (removes them from statistics and review)")
    def reject_as_false_positive(self, request, queryset) -> None:
        count = mistake_reject(mistakes=queryset, rejected_by=request.user)
        self.message_user(request, f"{count} mistake(s) rejected.", messages.SUCCESS)
