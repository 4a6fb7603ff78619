"""Make Grammalecte, the offline French grammar checker, available (``make setup`` runs it).

    .venv/bin/python scripts/install_grammalecte.py [--require]

Grammalecte is not on PyPI; Debian packages it as ``python3-grammalecte`` (pure Python, for the
system Python). The engine loads it from there (``VIRTULINGO_GRAMMALECTE_PATH``, Debian's
directory by default) without the rest of Debian's packages. This installs the package with
apt-get where it can (as root, with apt-get present), and otherwise says what to do: French
grammar is then reported unavailable, with that reason, and everything else works. A no-op when
Grammalecte is already there. ``--require`` (CI) exits non-zero if it is still missing.
Standard library only, apart from the engine's own locating function.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engines.config import EngineConfig  # noqa: E402
from engines.grammar_grammalecte import grammalecte_location  # noqa: E402

PACKAGE = "python3-grammalecte"


def apt_install() -> str:
    """Install the Debian package; "" on success, else why not."""
    if not shutil.which("apt-get"):
        return "apt-get is not available on this system"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return f"installing a Debian package needs root: run `sudo apt-get install -y {PACKAGE}`"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", PACKAGE]
    if subprocess.run(install, env=env).returncode == 0:
        return ""
    # A machine whose package lists were never fetched (or are stale) knows no such package yet.
    subprocess.run(["apt-get", "update"], env=env)
    if subprocess.run(install, env=env).returncode == 0:
        return ""
    return f"`apt-get install {PACKAGE}` failed (see above)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--require", action="store_true", help="fail if Grammalecte is still missing (CI)")
    args = parser.parse_args()
    path = os.environ.get("VIRTULINGO_GRAMMALECTE_PATH", "").strip() or EngineConfig().grammalecte_path
    found = grammalecte_location(path)
    if found is None:
        print(f"[grammalecte] not found (in this Python nor in {path}): installing {PACKAGE}", flush=True)
        why = apt_install()
        found = grammalecte_location(path)
        if found is None:
            print(
                f"[grammalecte] NOT INSTALLED: {why or f'{PACKAGE} did not install into {path}'}. French grammar "
                "checks will be reported unavailable (see /health); everything else works.",
                flush=True,
            )
            return 1 if args.require else 0
    print(f"[grammalecte] French grammar checker available: {found}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
