"""Real servers on 127.0.0.1 for the operations tests: an SMTP server (aiosmtpd), a Sentry
ingest endpoint, and briefdesk itself under granian with production settings.

    with smtp_server() as smtp: ... smtp.port, smtp.messages
    with sentry_ingest() as ingest: ... ingest.dsn, ingest.envelopes
    with briefdesk_server(tmp_path, DATABASE_URL=...) as server: ... server.url, server.stderr()
"""

from __future__ import annotations

import contextlib
import gzip
import os
import secrets
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[3]
PYTHON = ROOT / ".venv/bin/python"
BRIEFDESK = ROOT / ".venv/bin/briefdesk"
# What `briefdesk serve` runs, with one worker.
GRANIAN = [
    str(PYTHON),
    "-m",
    "granian",
    "--interface",
    "wsgi",
    "--host",
    "127.0.0.1",
    "--workers",
    "1",
]


def free_port() -> int:
    """A port nothing listens on (bound and released): connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(**env: str) -> dict[str, str]:
    """This process's environment without briefdesk's and Django's settings, plus `env`:
    what a fresh production process would see with only `env` configured."""
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EMAIL_", "SENTRY_", "LOG_", "DJANGO_", "BRIEFDESK_", "SECURE_"))
        and k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEFAULT_FROM_EMAIL"}
    }
    return {
        **kept,
        # No env file from the machine running the tests.
        "BRIEFDESK_ENV_FILE": "",
        "SECRET_KEY": secrets.token_urlsafe(50),
        **env,
    }


# --- SMTP ----------------------------------------------------------------------------------


@dataclass
class SmtpServer:
    port: int
    envelopes: list[Any] = field(default_factory=list)

    @property
    def messages(self) -> list[Message]:
        return [message_from_bytes(e.content) for e in self.envelopes]


class _Handler:
    """aiosmtpd handler: keeps what arrives; `refuse` makes one SMTP step answer 5xx."""

    def __init__(self, server: SmtpServer, refuse: str | None) -> None:
        self.server, self.refuse = server, refuse

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse == "MAIL":
            return "550 5.7.1 sender rejected by policy"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse == "RCPT":
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.server.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server(refuse: str | None = None) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1; refuse="MAIL" or "RCPT" answers that step with 550."""
    server = SmtpServer(port=free_port())
    controller = Controller(_Handler(server, refuse), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


# --- Sentry ingest -------------------------------------------------------------------------


@dataclass
class SentryIngest:
    port: int
    envelopes: list[bytes] = field(default_factory=list)

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.port}/1"


@contextlib.contextmanager
def sentry_ingest() -> Iterator[SentryIngest]:
    """An HTTP server that takes Sentry envelopes (POST /api/1/envelope/) and keeps them,
    decompressed."""
    ingest = SentryIngest(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":
                import brotli

                body = brotli.decompress(body)
            ingest.envelopes.append(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", ingest.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ingest
    finally:
        server.shutdown()
        server.server_close()


# --- briefdesk under granian ---------------------------------------------------------------


@dataclass
class RunningServer:
    url: str
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def get(self, path: str, **headers: str) -> tuple[int, Message, bytes]:
        """GET without following redirects: (status, headers, body); header names in any case."""
        request = urllib.request.Request(self.url + path, headers=headers)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@contextlib.contextmanager
def briefdesk_server(tmp_path: Path, **env: str) -> Iterator[RunningServer]:
    """briefdesk.wsgi under granian (what `briefdesk serve` runs), production settings, one
    worker, stderr to a file. `env` adds to a clean production environment."""
    port = free_port()
    data_dir = tmp_path / "data"
    (data_dir / "media").mkdir(parents=True, exist_ok=True)
    (data_dir / "private").mkdir(parents=True, exist_ok=True)
    stderr_path = tmp_path / "server.stderr"
    process_env = clean_env(
        **{
            "DJANGO_SETTINGS_MODULE": "briefdesk.settings.production",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BRIEFDESK_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'briefdesk.sqlite3'}",
            **env,
        }
    )
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [*GRANIAN, "--port", str(port), "briefdesk.wsgi:application"],
            cwd=tmp_path,
            env=process_env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    server = RunningServer(url=f"http://127.0.0.1:{port}", stderr_path=stderr_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"the server exited ({process.returncode}):\n{server.stderr()}"
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not listen within 60 s:\n{server.stderr()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_briefdesk(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed `briefdesk` console script, as an operator runs it."""
    return subprocess.run(
        [str(BRIEFDESK), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
