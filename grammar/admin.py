from django.contrib import admin, messages
from django.utils import timezone

from grammar.models import GrammarCheck, Mistake, ReviewItem
from grammar.review import review_items_make_due
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


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("now", "Due now"), ("later", "Not due yet")]

    def queryset(self, request, queryset):
        if self.value() == "now":
            return queryset.filter(due_at__lte=timezone.now())
        if self.value() == "later":
            return queryset.filter(due_at__gt=timezone.now())
        return queryset


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    """The spaced-review queue. Items are made from mistakes and their SM-2 state is the scheduler's
    to change, so only the due date can be edited (e.g. to bring an item forward)."""

    list_display = [
        "mistake",
        "player",
        "mistake_category",
        "mistake_status",
        "due_at",
        "interval_days",
        "ease",
        "repetitions",
        "lapses",
        "last_reviewed_at",
    ]
    list_filter = [DueFilter, "mistake__category", "mistake__status", "repetitions"]
    search_fields = ["player__player_id", "mistake__original", "mistake__correction"]
    list_select_related = ["player", "mistake"]
    date_hierarchy = "due_at"
    fields = [
        "mistake",
        "player",
        "due_at",
        "interval_days",
        "ease",
        "repetitions",
        "lapses",
        "last_reviewed_at",
        "created_at",
    ]
    readonly_fields = [
        "mistake",
        "player",
        "interval_days",
        "ease",
        "repetitions",
        "lapses",
        "last_reviewed_at",
        "created_at",
    ]
    actions = ["make_due_now"]

    @admin.display(description="category", ordering="mistake__category")
    def mistake_category(self, obj: ReviewItem) -> str:
        return obj.mistake.get_category_display()

    @admin.display(description="mistake status", ordering="mistake__status")
    def mistake_status(self, obj: ReviewItem) -> str:
        return obj.mistake.get_status_display()

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Make due now (reviewed in the next session)")
    def make_due_now(self, request, queryset) -> None:
        count = review_items_make_due(items=queryset)
        self.message_user(request, f"{count} review item(s) are due now.", messages.SUCCESS)
