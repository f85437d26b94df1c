"""A briefdesk site on loopback that the fault tests may kill: a data directory made once per
session (`briefdesk init`, production settings, SQLite) and copied for each test, and the
programs an operator runs on it, each started in a process group of its own.

    template = prepare_template(root)                # once: init, an admin and an editor
    site = Site.copy_of(template, tmp_path)          # this test's data dir and database
    server = site.serve()                            # `briefdesk serve` on a free port
    server.kill()                                    # SIGKILL to the whole process group

Every wait has a deadline; every process started is killed by `Site.stop_all` (a finally).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
BRIEFDESK = [sys.executable, "-m", "briefdesk.cli"]
DATABASE = "briefdesk.sqlite3"
EDITOR, EDITOR_PASSWORD = "bob", "correct horse battery"  # tests.factories.make_users


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    """`condition()`'s first true value, polled until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for {what}")


def production_env(data: Path, **extra: str) -> dict[str, str]:
    """What a production install configures (plain HTTP on loopback), and nothing of this
    machine's briefdesk or Django settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BRIEFDESK_", "DJANGO_", "SENTRY_", "EMAIL_", "TASKS_"))
        and k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"}
    }
    env.update(
        BRIEFDESK_ENV_FILE="",
        DJANGO_SETTINGS_MODULE="briefdesk.settings.production",
        SECRET_KEY="faults-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        BRIEFDESK_DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data / DATABASE}",
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


def run(argv: list[str], env: dict[str, str], timeout: float = 120) -> str:
    """A briefdesk command to its end; its output, or the test fails with its stderr."""
    done = subprocess.run(
        [*BRIEFDESK, *argv],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"briefdesk {argv[0]} exited {done.returncode}: {done.stderr}"
    return done.stdout + done.stderr


USERS = """
from tests.factories import make_users
make_users()
"""


def prepare_template(root: Path) -> Path:
    """A data directory after `briefdesk init` (migrated, site pages, static files, search
    index), with the suite's stock users (an editor among them)."""
    data = root / "data"
    env = production_env(data, BRIEFDESK_ADMIN_PASSWORD="faults-Admin-9431")
    run(["init", "--admin", "admin", "--admin-email", "admin@example.org"], env, timeout=300)
    run(["manage", "shell", "--no-imports", "-c", USERS], env)
    return data


@dataclass
class Process:
    """A program in a process group of its own (so SIGKILL reaches its children too)."""

    popen: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL to the whole group, as the kernel's OOM killer or a power cut would end it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Server(Process):
    url: str = ""

    def session(self) -> requests.Session:
        return requests.Session()

    def login(self, username: str = EDITOR, password: str = EDITOR_PASSWORD) -> requests.Session:
        """A session signed in to the admin as `username`, through the login form."""
        session = requests.Session()
        page = session.get(f"{self.url}/admin/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        answer = session.post(
            f"{self.url}/admin/login/",
            data={"csrfmiddlewaretoken": token.group(1), "username": username,
                  "password": password, "next": "/admin/"},
            timeout=30,
            allow_redirects=False,
        )  # fmt: skip
        assert answer.status_code == 302, f"login failed: {answer.status_code}"
        return session


@dataclass
class Site:
    """One test's data directory, and every process started on it."""

    data: Path
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)

    @classmethod
    def copy_of(cls, template: Path, root: Path, **env: str) -> Site:
        data = root / "data"
        shutil.copytree(template, data)
        return cls(data=data, env=production_env(data, **env))

    @property
    def database(self) -> Path:
        return self.data / DATABASE

    def start(self, argv: list[str], name: str, env: dict[str, str] | None = None) -> Process:
        log = self.data.parent / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(
                [*BRIEFDESK, *argv],
                env=env or self.env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(popen, log)
        self.processes.append(process)
        return process

    def serve(self, workers: int = 2, timeout: float = 60) -> Server:
        """`briefdesk serve` (granian) on a free port, once it answers the login page."""
        port = free_port()
        started = self.start(
            ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            f"serve-{port}",
        )
        server = Server(started.popen, started.log, url=f"http://127.0.0.1:{port}")
        self.processes[-1] = server

        def answers() -> bool:
            if not server.alive():
                raise AssertionError(f"briefdesk serve exited:\n{server.output()}")
            with contextlib.suppress(requests.RequestException):
                return requests.get(f"{server.url}/admin/login/", timeout=5).status_code == 200
            return False

        wait_for(answers, timeout, f"briefdesk serve on {server.url}")
        return server

    def stop_all(self) -> None:
        for process in self.processes:
            if process.alive():
                process.kill()

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows read through a connection of the test's own (sqlite3, not Django)."""
        with contextlib.closing(sqlite3.connect(self.database, timeout=10)) as db:
            return db.execute(sql, params).fetchall()

    def integrity(self) -> str:
        return self.query("PRAGMA integrity_check")[0][0]
