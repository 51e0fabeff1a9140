"""What deploy/ ships, run as far as this machine allows (no Docker daemon, no systemd as
PID 1): the image's entry point migrates a fresh data directory, starts the web server that
its HEALTHCHECK then finds healthy, and runs each worker role; every systemd unit passes
``systemd-analyze verify`` and each of its commands runs; the Dockerfile and the compose file
name only roles, files and images that exist. On SQLite and on PostgreSQL (a database of its
own on the suite's server).
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
UNITS = sorted((DEPLOY / "systemd").glob("paperboy*.*"))
VENV_BIN = Path(sys.executable).parent
# Where the units expect the venv (and the image has it).
INSTALLED_BIN = "/opt/paperboy/bin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_url(request, settings):
    """'' (SQLite in the data dir) or a new, empty PostgreSQL database on the suite's server."""
    if request.config.getoption("--db") != "postgres":
        yield ""
        return
    import psycopg

    db = settings.DATABASES["default"]
    name = f"deploy_{uuid.uuid4().hex[:12]}"
    admin = {
        "host": db["HOST"],
        "port": db["PORT"] or None,
        "user": db["USER"],
        "dbname": "postgres",
    }
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host = quote(db["HOST"], safe="")
    yield f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def deploy_env(tmp_path, database_url):
    """A deployment's environment: nothing of this test run's, the venv first on PATH (as the
    image's), a fresh data directory, no demo corpus."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERBOY_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        PAPERBOY_DATA_DIR=str(tmp_path / "data"),
        PAPERBOY_DEMO="false",
        PAPERBOY_CACHE_URL="locmem://",
        PAPERBOY_WEB_WORKERS="1",
        PAPERBOY_WEB_THREADS="2",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(command: list[str], env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def entrypoint_roles() -> set[str]:
    return set(re.findall(r"^([a-z-]+)\)$", ENTRYPOINT.read_text(), re.M))


# --- The image's entry point ------------------------------------------------------------------


def test_the_entrypoint_migrates_a_fresh_data_dir_serves_and_runs_each_role(deploy_env, tmp_path):
    port = _free_port()
    env = {
        **deploy_env,
        "PAPERBOY_HOST": "127.0.0.1",
        "PAPERBOY_PORT": str(port),
        "PAPERBOY_SITE_URL": "https://papers.example.org",
        "PAPERBOY_ALLOWED_HOSTS": "papers.example.org",
        "PAPERBOY_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }
    log = (tmp_path / "web.log").open("w")
    web = subprocess.Popen(
        [str(ENTRYPOINT), "web"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # The image's HEALTHCHECK command, until it passes (or the web process gives up).
        healthy = False
        deadline = time.monotonic() + 240
        while not healthy and web.poll() is None and time.monotonic() < deadline:
            healthy = run([str(ENTRYPOINT), "healthcheck"], env, timeout=60).returncode == 0
            if not healthy:
                time.sleep(0.5)
        assert healthy, (tmp_path / "web.log").read_text()[-3000:]
        assert run(["paperboy", "manage", "migrate", "--check"], env).returncode == 0
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/papers",
            headers={"Host": "papers.example.org", "X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(request, timeout=60) as page:
            assert page.status == 200  # a rendered page: the static files were collected
    finally:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=60)
        log.close()

    # Workers before the scheduler: a worker would run what the scheduler enqueues (ingest runs
    # reach for the network); with nothing queued, --batch returns at once.
    for role in (
        ["mail-worker", "--batch", "--no-startup-delay"],
        ["batch-worker", "--batch", "--no-startup-delay"],
        ["scheduler", "--once"],
    ):
        result = run([str(ENTRYPOINT), *role], env)
        assert result.returncode == 0, result.stderr
    assert run([str(ENTRYPOINT), "healthcheck"], env, timeout=60).returncode != 0  # web stopped


def test_the_dockerfile_runs_the_entrypoint_as_a_user_from_the_runtime_lock():
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    instructions = [line.strip() for line in text.splitlines() if line and line[0] != "#"]
    last_from = max(i for i, line in enumerate(instructions) if line.startswith("FROM "))
    last_stage = instructions[last_from:]

    assert "USER paperboy" in last_stage and "USER root" not in last_stage
    assert "COPY deploy/entrypoint.sh /usr/local/bin/paperboy-entrypoint" in last_stage
    assert 'ENTRYPOINT ["paperboy-entrypoint"]' in last_stage
    assert 'CMD ["web"]' in last_stage
    healthcheck = next(line for line in last_stage if line.startswith("HEALTHCHECK"))
    assert healthcheck.endswith('CMD ["paperboy-entrypoint", "healthcheck"]')
    assert "-r /src/requirements.lock" in text and "requirements-dev.lock" not in text
    for line in instructions:
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"{line}: {source} is not in the repository"


def test_the_compose_file_runs_every_role_with_postgres_and_redis():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]

    assert set(services) == {"web", "mail-worker", "batch-worker", "scheduler", "postgres", "redis"}
    roles = entrypoint_roles()
    for name in ("web", "mail-worker", "batch-worker", "scheduler"):
        service = services[name]
        assert service["command"] == [name] and name in roles
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).exists()
        assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["PAPERBOY_CACHE_URL"].startswith("redis://redis:6379")
        assert service["env_file"] == ".env" and (DEPLOY / ".env.example").exists()
    assert "pgvector" in services["postgres"]["image"]
    assert services["redis"]["image"].startswith("redis:")
    for name in ("mail-worker", "batch-worker", "scheduler"):
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_env_example_names_only_settings_that_exist():
    readers = "".join(
        path.read_text()
        for path in (ROOT / "paperboy" / "settings.py", ROOT / "paperboy" / "cli.py", ENTRYPOINT)
    )
    names = re.findall(r"^#? ?([A-Z_]+)=", (DEPLOY / ".env.example").read_text(), re.M)

    assert "PAPERBOY_SECRET_KEY" in names and "POSTGRES_PASSWORD" in names
    assert [n for n in names if n.startswith("PAPERBOY_") and n not in readers] == []


# --- systemd units ----------------------------------------------------------------------------


def _unit(path: Path) -> dict[str, list[str]]:
    """KEY -> values (systemd allows a key more than once), across sections."""
    values: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _expand(line: str, env: dict) -> str:
    """systemd's ${NAME} substitution."""
    return re.sub(r"\$\{(\w+)\}", lambda match: env[match.group(1)], line)


def test_the_systemd_units_verify(tmp_path):
    env_file = tmp_path / "paperboy.env"
    env_file.write_text("PAPERBOY_DEMO=false\n")
    copies = []
    for unit in UNITS:
        text = unit.read_text().replace(INSTALLED_BIN, str(VENV_BIN))
        copy = tmp_path / unit.name
        copy.write_text(text.replace("/etc/paperboy/paperboy.env", str(env_file)))
        copies.append(str(copy))

    result = subprocess.run(
        ["systemd-analyze", "verify", *copies], capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_each_systemd_command_runs(deploy_env):
    """Each unit's commands, from the installed venv's place, with the unit's environment:
    the web unit's migration first, then each command for one round (a worker's --batch, the
    scheduler's --once, gunicorn's --check-config)."""
    web = _unit(DEPLOY / "systemd" / "paperboy-web.service")
    order = [DEPLOY / "systemd" / f"paperboy-{n}.service" for n in ("web", "mail-worker")]
    order += [DEPLOY / "systemd" / f"paperboy-{n}.service" for n in ("batch-worker", "scheduler")]
    assert sorted(order + [DEPLOY / "systemd" / "paperboy.target"]) == UNITS
    wanted = _unit(DEPLOY / "systemd" / "paperboy.target")["Wants"][0].split()
    assert wanted == [unit.name for unit in order]
    assert web["ExecStartPre"][0].endswith("paperboy manage migrate --noinput")

    for unit in order:
        values = _unit(unit)
        env = dict(deploy_env)
        for assignment in values.get("Environment", []):
            key, _, value = assignment.partition("=")
            if key != "PAPERBOY_DATA_DIR":  # this test's data dir, not /var/lib/paperboy
                env.setdefault(key, value)
        for line in values.get("ExecStartPre", []) + values["ExecStart"]:
            argv = shlex.split(_expand(line, env))
            assert argv[0].startswith(INSTALLED_BIN + "/"), line
            argv[0] = str(VENV_BIN / argv[0].removeprefix(INSTALLED_BIN + "/"))
            assert os.access(argv[0], os.X_OK), f"{unit.name}: {argv[0]} is not installed"
            if "run_worker" in argv:
                argv += ["--batch", "--no-startup-delay"]
            elif "run_scheduler" in argv:
                argv += ["--once"]
            elif Path(argv[0]).name == "gunicorn":
                argv += ["--check-config"]
            result = run(argv, env)
            assert result.returncode == 0, f"{unit.name}: {line}\n{result.stderr[-2000:]}"
