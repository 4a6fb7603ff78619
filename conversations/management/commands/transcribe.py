"""manage.py transcribe FILE.wav [--language xx] [--words]: speech-to-text on a WAV file."""

from __future__ import annotations

import asyncio
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from engines import get_registry
from engines.audio import read_wav
from engines.errors import EngineError


class Command(BaseCommand):
    help = "Transcribe a 16-bit PCM WAV file with the configured speech-to-text engine (VIRTULINGO_STT_MODEL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a 16-bit PCM WAV file (mono or stereo, any rate 8-48 kHz)")
        parser.add_argument("--language", default="en", help="ISO 639-1 code the speech is in (default: en)")
        parser.add_argument("--words", action="store_true", help="also print per-word timings and confidences")

    def handle(self, *args: object, **options: object) -> None:
        try:
            audio = read_wav(str(options["file"]))
            started = time.perf_counter()
            transcript = asyncio.run(self._transcribe(audio, str(options["language"]), bool(options["words"])))
        except EngineError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(transcript.text or "(no speech)")
        for word in transcript.words:
            self.stdout.write(f"  {word.start:6.2f}-{word.end:6.2f}  {word.probability:4.2f}  {word.word}")
        self.stderr.write(
            f"{transcript.audio_seconds:.2f} s of audio in {elapsed:.2f} s (including model load), "
            f"language {transcript.language}"
        )

    async def _transcribe(self, audio, language: str, words: bool):  # type: ignore[no-untyped-def]
        registry = get_registry()
        return await registry.stt().transcribe(
            audio.pcm, sample_rate=audio.sample_rate, language=language, word_timestamps=words
        )
