"""The production topology in files: one set of process commands (the Procfile) that
compose.yaml and scripts/serve run, and an image built from pyproject.toml as a non-root
user. (No container engine here: the files are parsed, not run.)"""

import json
import re
import shlex
import tomllib

import yaml

from tests.deploy.helpers import ROOT

PROCESSES = ["release", "web", "worker", "worker-renditions", "worker-bulk", "beat"]
WORKERS = ["worker", "worker-renditions", "worker-bulk"]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(
        (name.strip(), command.strip())
        for name, _, command in (line.partition(":") for line in lines if line.strip())
    )


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def as_shell(command) -> str:
    """A compose command as the shell line it runs."""
    if isinstance(command, str):
        return command
    if command[:2] == ["sh", "-c"] and len(command) == 3:
        return command[2]
    return shlex.join(command)


def test_procfile_names_each_process():
    commands = procfile()
    assert list(commands) == PROCESSES
    assert commands["web"].startswith("gunicorn config.wsgi")
    for name in WORKERS:
        assert commands[name].startswith("celery -A config worker"), name
    assert commands["beat"].startswith("celery -A config beat")
    assert "migrate" in commands["release"] and "collectstatic" in commands["release"]


def test_compose_runs_the_procfile_commands():
    services = compose()["services"]
    for name, command in procfile().items():
        assert as_shell(services[name]["command"]) == command, name


def test_compose_has_the_whole_topology():
    services = compose()["services"]
    assert {"web", "worker", "beat", "release", "postgres", "redis", "minio"} <= set(services)
    assert set(WORKERS) <= set(services)
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["minio"]["image"].startswith("minio/minio")
    for name in ("web", *WORKERS, "beat", "release"):
        service = services[name]
        assert service["build"] == "."  # one image for every process
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert env["MEDIA_STORAGE"] == "s3"
        assert env["S3_ENDPOINT_URL"].endswith("minio:9000}")
        # the secret comes from the environment / .env, never from this file
        assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    for name in ("web", *WORKERS, "beat"):
        depends = services[name]["depends_on"]
        assert depends["release"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
    assert "/api/v1/health/ready" in " ".join(services["web"]["healthcheck"]["test"])


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_dockerfile_is_slim_non_root_and_installs_from_pyproject():
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [arg for op, arg in instructions if op == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
    copies = [arg for op, arg in instructions if op == "COPY"]
    runs = " ".join(arg for op, arg in instructions if op == "RUN")
    assert any(arg.split()[0] == "pyproject.toml" for arg in copies)
    assert "pyproject.toml" in runs and "pip install" in runs
    # libvips and ffmpeg come from wheels: no system packages for them
    assert not re.search(r"apt-get|apk add", runs)
    assert "collectstatic" in runs
    cmd = next(arg for op, arg in instructions if op == "CMD")
    assert " ".join(json.loads(cmd)) == procfile()["web"]


def test_native_media_tools_come_from_wheels():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=\[ ;]", dep, maxsplit=1)[0].lower() for dep in dependencies}
    assert {"pyvips-binary", "imageio-ffmpeg", "whitenoise", "gunicorn"} <= names


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "var"} <= set(ignored)
