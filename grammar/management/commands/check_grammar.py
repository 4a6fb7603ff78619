"""manage.py check_grammar "sentence" [--language xx] [--level B1]: the configured grammar checker's verdict."""

from __future__ import annotations

import asyncio
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from engines import get_registry
from engines.errors import EngineError


class Command(BaseCommand):
    help = "Check one learner utterance with the grammar engine configured for its language (VIRTULINGO_GRAMMAR)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sentence")
        parser.add_argument("--language", default="en", help="ISO 639-1 code (default: en)")
        parser.add_argument("--level", default="A2", help="the learner's CEFR level (default: A2)")
        parser.add_argument("--json", action="store_true", help="print the whole result as JSON")

    def handle(self, *args: object, **options: object) -> None:
        sentence = str(options["sentence"]).strip()
        if not sentence:
            raise CommandError("give a sentence to check")
        try:
            result = asyncio.run(
                get_registry().check_grammar(sentence, language=str(options["language"]), level=str(options["level"]))
            )
        except EngineError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        if result.status == "unavailable":
            self.stdout.write(f"unavailable: {result.reason}")
            return
        if not result.mistake_found:
            self.stdout.write(f"no mistake found ({result.engine})")
            return
        self.stdout.write(f"correction: {result.correction}   ({result.engine})")
        for edit in result.edits:
            self.stdout.write(
                f"  [{edit.category}, severity {edit.severity}] {edit.original!r} -> {edit.correction!r}: "
                f"{edit.explanation}"
            )
