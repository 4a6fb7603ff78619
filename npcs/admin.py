from django.contrib import admin

from npcs.forms import NPCAdminForm
from npcs.models import NPC, Scene, SceneTranslation


class NPCInline(admin.TabularInline):
    model = NPC
    fields = ["npc_id", "name", "language", "cefr_level", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class SceneTranslationInline(admin.StackedInline):
    model = SceneTranslation
    extra = 0
    verbose_name = "translation"
    verbose_name_plural = "In other languages (what NPCs who speak them are told)"


@admin.register(Scene)
class SceneAdmin(admin.ModelAdmin):
    list_display = ["scene_id", "name", "languages", "npc_count"]
    search_fields = ["scene_id", "name", "description"]
    inlines = [SceneTranslationInline, NPCInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("translations")

    @admin.display(description="Translated into")
    def languages(self, obj: Scene) -> str:
        return ", ".join(translation.language for translation in obj.translations.all()) or "-"

    @admin.display(description="NPCs")
    def npc_count(self, obj: Scene) -> int:
        return obj.npcs.count()

    def get_readonly_fields(self, request, obj=None):
        # The game refers to scenes by id: renaming one would orphan the game's references.
        return ["scene_id"] if obj else []


@admin.register(NPC)
class NPCAdmin(admin.ModelAdmin):
    form = NPCAdminForm  # checks the voice ids against the engines when the NPC is saved
    list_display = ["npc_id", "name", "language", "cefr_level", "scene", "emotional_tone", "is_active", "updated_at"]
    list_filter = ["language", "cefr_level", "scene", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["npc_id", "name", "personality", "backstory"]
    list_select_related = ["scene"]
    autocomplete_fields = ["scene"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        ("Identity", {"fields": ["npc_id", "name", "scene", "is_active"]}),
        ("Character", {"fields": ["personality", "backstory", "emotional_tone", "greeting"]}),
        ("Language", {"fields": ["language", "cefr_level", "voice"]}),
        ("Facts the NPC must not get wrong", {"fields": ["price_list", "currency"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The game asks for NPCs by id: keep it stable once created.
        return [*self.readonly_fields, "npc_id"] if obj else self.readonly_fields
