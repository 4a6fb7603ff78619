"""The runnable deployment in deploy/ (docs/DEPLOYMENT.md): its environment file passes Django's
deployment checks once its secret is filled in (and not before), every variable it sets is a
documented one, and its systemd units are valid units whose commands exist."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
ENV_FILE = DEPLOY / "virtulingo.env.example"
UNITS = DEPLOY / "systemd"


def deploy_environment() -> dict[str, str]:
    """The variables the file sets, as systemd's EnvironmentFile= reads them (comments and blank lines skipped)."""
    pairs = (line.split("=", 1) for line in ENV_FILE.read_text().splitlines() if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess:
    # Only the file's variables: nothing of the developer's or the test run's environment leaks in.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), **environment}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_deploy_environment_once_its_secret_is_set():
    environment = deploy_environment()
    assert environment["DJANGO_DEBUG"] == "false" and environment["VIRTULINGO_HTTPS"] == "true"
    result = check_deploy({**environment, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_placeholder_secret_fails_the_deployment_checks():
    """Copied without filling it in, the file does not pass for a production configuration."""
    result = check_deploy(deploy_environment())
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_every_variable_of_the_deploy_environment_is_documented():
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (Path(settings.BASE_DIR) / ".env.example").read_text(), re.M))
    assert set(deploy_environment()) - documented == set()


def test_the_worker_outlasts_a_running_check_on_stop():
    """systemd kills what is still running after TimeoutStopSec: Celery's warm shutdown must get
    longer than a check's hard time limit, or every stop kills a check (it would be redelivered,
    late)."""
    unit = (UNITS / "virtulingo-worker.service").read_text()
    (timeout,) = re.findall(r"^TimeoutStopSec=(\d+)$", unit, re.M)
    assert int(timeout) > settings.CELERY_TASK_TIME_LIMIT
    assert re.search(r"^KillSignal=SIGTERM$", unit, re.M)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_the_systemd_units_verify(tmp_path):
    """`systemd-analyze verify` on the units as installed in this checkout (its virtual environment,
    the example environment file), the web template instantiated on one port."""
    for unit in UNITS.iterdir():
        text = unit.read_text().replace("/srv/virtulingo", str(settings.BASE_DIR))
        text = text.replace("/etc/virtulingo/virtulingo.env", str(ENV_FILE))
        # The service user is created at install; here, the one running the tests.
        text = re.sub(r"^(User|Group)=.*$", "", text, flags=re.M)
        (tmp_path / unit.name).write_text(text)
    shutil.copy(tmp_path / "virtulingo-web@.service", tmp_path / "virtulingo-web@8001.service")
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != "virtulingo-web@.service")
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *[f"./{name}" for name in names]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Unknown keys and missing executables are reported even when the exit status is 0.
    assert result.stdout + result.stderr == ""
