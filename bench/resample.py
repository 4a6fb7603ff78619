"""Cost of resampling the learner's audio to 16 kHz, per input rate (run by hand; not part of the suite).

    .venv/bin/python bench/resample.py [--seconds 10]

Streams ``--seconds`` of a 440 Hz tone in Unity-sized frames (4096 samples) through
``vocabulary.audio.Pcm16Resampler`` (soxr) and prints the setup time and the milliseconds of
work per second of audio, for the usual rates and for rates that share no factor with 16 kHz.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vocabulary.audio import Pcm16Resampler  # noqa: E402

RATES = [8_000, 22_050, 44_100, 48_000, 11_111, 47_999]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'rate':>7}  {'setup ms':>9}  {'ms per s of audio':>18}")
    for rate in RATES:
        t = np.arange(int(rate * args.seconds)) / rate
        pcm = np.rint(12_000 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()
        setups, works = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            resampler = Pcm16Resampler(from_rate=rate)
            setups.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            for i in range(0, len(pcm), 8192):
                resampler.process(pcm[i : i + 8192])
            resampler.flush()
            works.append((time.perf_counter() - started) * 1000 / args.seconds)
        print(f"{rate:>7}  {statistics.median(setups):>9.3f}  {statistics.median(works):>18.3f}")


if __name__ == "__main__":
    main()
