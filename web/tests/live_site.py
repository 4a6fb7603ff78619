"""A live site for the browser tests: a real Daphne process with DEBUG off, on its own SQLite
database with the demo content (seed_demo, as `make run`) and some practice history, static
files collected (as `make setup`) and served by WhiteNoise."""

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from conversations.tests.daphne_servers import DaphneServer, manage, server_environment


@dataclass
class LiveSite:
    server: DaphneServer
    passwords: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


def live_site_start(folder: Path, *, debug: bool = False, warm_up_engines: bool = False) -> LiveSite:
    database = folder / "db.sqlite3"
    env = server_environment(database)
    manage("migrate", "--noinput", env=env)
    seeded = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    passwords = dict(re.findall(r"^User (\S+): password (\S+)$", seeded.stdout, re.MULTILINE))
    manage("shell", "-c", "from web.tests.browser_data import create; create()", env=env)
    manage("collectstatic", "--noinput", env=env)
    server = DaphneServer(
        env=server_environment(
            database,
            DJANGO_DEBUG="1" if debug else "0",
            DJANGO_SECRET_KEY="a-test-secret-key-" + "x" * 40,
            VIRTULINGO_WARM_UP_ENGINES="1" if warm_up_engines else "0",
        ),
        log=folder / "daphne.log",
    )
    server.wait_until_healthy()
    return LiveSite(server=server, passwords=passwords)
