"""manage.py say "text" [--language xx] [--voice V] [--engine E] -o out.wav: text-to-speech to a WAV file."""

from __future__ import annotations

import asyncio

from django.core.management.base import BaseCommand, CommandError, CommandParser

from engines import get_registry
from engines.audio import write_wav
from engines.errors import EngineError
from engines.interfaces import Audio


class Command(BaseCommand):
    help = (
        "Speak a text into a WAV file. Without --engine, the configured engine (VIRTULINGO_TTS) is used when it "
        "speaks the language, espeak-ng otherwise. --npc uses that NPC's language and voices."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text")
        parser.add_argument("-o", "--output", required=True, help="the WAV file to write")
        parser.add_argument("--language", default=None, help="ISO 639-1 code (default: the NPC's, or en)")
        parser.add_argument("--voice", default=None, help="a Piper .onnx path, an espeak-ng voice (fr, de+f3), ...")
        parser.add_argument("--engine", choices=["piper", "espeak", "coqui"], default=None)
        parser.add_argument("--npc", default=None, help="an NPC id: speak with its language and voice")

    def handle(self, *args: object, **options: object) -> None:
        voices: dict[str, str] = {}
        language = options["language"]
        if options["npc"]:
            from npcs.models import NPC

            npc = NPC.objects.filter(npc_id=options["npc"]).first()
            if npc is None:
                raise CommandError(f"no NPC with id {options['npc']!r}")
            voices, language = dict(npc.voice or {}), language or npc.language
        language = str(language or "en")
        registry = get_registry()
        if options["engine"]:
            engine, voice = registry.tts(str(options["engine"])), options["voice"] or voices.get(str(options["engine"]))
        else:
            engine, voice = registry.tts_for(language, voices)
            voice = options["voice"] or voice
        try:
            audio: Audio = asyncio.run(engine.synthesize(str(options["text"]), language=language, voice=voice))
            write_wav(str(options["output"]), audio)
        except EngineError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"cannot write {options['output']}: {exc.strerror}") from None
        self.stdout.write(
            f"wrote {options['output']}: {audio.seconds:.2f} s at {audio.sample_rate} Hz "
            f"({engine.name}, voice {voice or 'default'}, {language})"
        )
