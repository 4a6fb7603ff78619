"""Idempotent demo content: scenes, NPCs in four languages, a teacher, a class, players and
their learner accounts (a user named after each player_id, for the learner pages).

Existing rows are kept as they are (an author's edits in the admin survive a re-run);
credentials are printed only when created, or when --rotate-credentials asks for new ones.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from npcs.models import NPC, Scene, SceneTranslation
from players.models import Classroom, Player
from players.services import player_token_issue
from virtulingo import demo_content


class Command(BaseCommand):
    help = "Create the demo scenes, NPCs, teacher, class and players (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rotate-credentials",
            action="store_true",
            help="Issue new tokens for the demo players and new passwords for the demo users, and print them.",
        )

    @transaction.atomic
    def handle(self, *args, rotate_credentials: bool = False, **options):
        created = translated = 0
        for scene_id, name, description, translations in demo_content.SCENES:
            created += Scene.objects.get_or_create(
                scene_id=scene_id, defaults={"name": name, "description": description}
            )[1]
            for language, (translated_name, translated_description) in translations.items():
                translated += SceneTranslation.objects.get_or_create(
                    scene_id=scene_id,
                    language=language,
                    defaults={"name": translated_name, "description": translated_description},
                )[1]
        self.stdout.write(
            f"Scenes: {created} created, {len(demo_content.SCENES) - created} already there; "
            f"{translated} translations created."
        )

        created = 0
        for npc in demo_content.NPCS:
            fields = {key: value for key, value in npc.items() if key not in {"npc_id", "scene"}}
            created += NPC.objects.get_or_create(npc_id=npc["npc_id"], defaults={**fields, "scene_id": npc["scene"]})[1]
        self.stdout.write(f"NPCs: {created} created, {len(demo_content.NPCS) - created} already there.")

        self._ensure_user(demo_content.ADMIN_USERNAME, superuser=True, rotate=rotate_credentials)
        teacher = self._ensure_user(demo_content.TEACHER_USERNAME, superuser=False, rotate=rotate_credentials)
        classroom, _ = Classroom.objects.get_or_create(name=demo_content.CLASSROOM_NAME, teacher=teacher)

        for fields in demo_content.PLAYERS:
            player, was_created = Player.objects.get_or_create(player_id=fields["player_id"], defaults=fields)
            classroom.learners.add(player)
            if player.user_id is None:
                # The learner signs in to /learn/ with their player_id as username.
                player.user = self._ensure_user(player.player_id, superuser=False, rotate=rotate_credentials)
                player.save(update_fields=["user", "updated_at"])
            else:
                self._ensure_user(player.user.get_username(), superuser=False, rotate=rotate_credentials)
            if was_created or rotate_credentials or not player.has_token:
                token = player_token_issue(player=player)
                self.stdout.write(f"Player {player.player_id}: token {token}")
            else:
                self.stdout.write(f"Player {player.player_id}: token unchanged (--rotate-credentials prints a new one)")
        self.stdout.write(self.style.SUCCESS("Demo content ready."))

    def _ensure_user(self, username: str, *, superuser: bool, rotate: bool):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": superuser, "is_superuser": superuser}
        )
        if created or rotate:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            self.stdout.write(f"User {username}: password {password}")
        else:
            self.stdout.write(f"User {username}: password unchanged (--rotate-credentials prints a new one)")
        return user
