"""manage.py chat NPC_ID: a text conversation with an NPC in the terminal, streamed as the model writes."""

from __future__ import annotations

import asyncio
import sys
from contextlib import aclosing

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from conversations.prompts import npc_prompt_messages
from engines import get_registry
from engines.errors import EngineError
from players.world_state import HistoryExchange

REPLY_MAX_TOKENS = 160


class Command(BaseCommand):
    help = (
        "Talk to an NPC in the terminal with the configured language model (VIRTULINGO_LLM). "
        "Type a line and press Enter; an empty line or Ctrl-D ends the chat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("npc_id")
        parser.add_argument("--level", default="A2", help="the learner's CEFR level (default: A2)")
        parser.add_argument(
            "-m",
            "--message",
            action="append",
            default=[],
            help="say this instead of reading the terminal (repeat for several turns)",
        )

    def handle(self, *args: object, **options: object) -> None:
        from npcs.models import NPC

        npc = NPC.objects.select_related("scene").filter(npc_id=options["npc_id"]).first()
        if npc is None:
            known = ", ".join(NPC.objects.values_list("npc_id", flat=True)[:20]) or "none (run manage.py seed_demo)"
            raise CommandError(f"no NPC with id {options['npc_id']!r}; known NPCs: {known}")
        llm = get_registry().llm()
        self.stderr.write(f"{npc.name} ({npc.language}, {llm.name}). Empty line or Ctrl-D to stop.")
        if npc.greeting:
            self.stdout.write(f"{npc.name}: {npc.greeting}")
        scripted: list[str] = list(options["message"])  # type: ignore[arg-type]
        history: list[HistoryExchange] = []
        limit = getattr(settings, "HISTORY_EXCHANGES", 10)
        while True:
            utterance = scripted.pop(0) if scripted else (None if options["message"] else self._read())
            if not utterance:
                break
            messages = npc_prompt_messages(
                npc=npc,
                language=npc.language,
                player_level=str(options["level"]),
                utterance=utterance,
                history=history[-limit:],
            )
            try:
                reply = asyncio.run(self._stream(npc.name, llm, messages))
            except EngineError as exc:
                raise CommandError(str(exc)) from None
            history.append(HistoryExchange(player_text=utterance, npc_text=reply))

    def _read(self) -> str | None:
        try:
            return input("you: ").strip() if sys.stdin.isatty() else (sys.stdin.readline() or "").strip()
        except (EOFError, KeyboardInterrupt):
            return None

    async def _stream(self, name: str, llm, messages) -> str:  # type: ignore[no-untyped-def]
        self.stdout.write(f"{name}: ", ending="")
        parts: list[str] = []
        async with aclosing(llm.stream(messages, max_tokens=REPLY_MAX_TOKENS)) as deltas:
            async for delta in deltas:
                parts.append(delta)
                self.stdout.write(delta, ending="")
                self.stdout.flush()
        self.stdout.write("")
        return "".join(parts).strip()
