"""The machines the walkthrough plays on loopback: PostgreSQL, nginx, an SMTP server, services.

Each starts a real program on 127.0.0.1 (high ports) under a temp directory and stops it.
PostgreSQL runs as `postgres` through runuser when we are root (initdb refuses root); its
superuser is `postgres` over a Unix socket (trust, like Debian's peer login for root), and TCP
logins need a password (scram-sha-256, as Debian's pg_hba.conf has it).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{proc.args!r} exited with {proc.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Postgres:
    """A throwaway PostgreSQL server (fsync off), like scripts/pg.sh but with Debian's logins."""

    def __init__(self) -> None:
        bindirs = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
        )
        if not bindirs:
            pytest.fail("PostgreSQL is not installed (scripts/test.sh installs it)")
        self.bin = bindirs[-1]
        # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
        self.dir = Path(tempfile.mkdtemp(prefix="briefdesk-walkthrough-pg."))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.port = free_port()

    def start(self) -> None:
        run = _as_postgres()
        _run(
            [*run, str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres",
             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        _run(
            [*run, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
             str(self.dir / "log"), "-w", "-o", options, "start"],
        )  # fmt: skip

    def env(self) -> dict[str, str]:
        """What `runuser -u postgres -- psql` finds on Debian: the superuser over the socket."""
        return {"PGHOST": str(self.dir), "PGPORT": str(self.port), "PGUSER": "postgres"}

    def stop(self) -> None:
        subprocess.run(
            [*_as_postgres(), str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
             "fast", "-w", "stop"],
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(argv)}: {result.stdout}{result.stderr}"


class Mailbox:
    """An SMTP server on loopback (aiosmtpd) keeping every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Message] = []
        self.port = free_port()
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mailbox.messages.append(message_from_bytes(envelope.content))
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, predicate, timeout: float = 15) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if predicate(message):
                    return message
            time.sleep(0.1)
        subjects = [m["Subject"] for m in self.messages]
        raise AssertionError(f"no such mail arrived in {timeout} s; got {subjects}")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


NGINX_MAIN = """\
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    include {dir}/sites-enabled/*.conf;
}}
"""


class Nginx:
    """Real nginx (/usr/sbin/nginx) with the sites the walkthrough installed under `dir`."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.proc: subprocess.Popen | None = None

    def write_main(self) -> Path:
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        main = self.dir / "nginx.conf"
        user = "user root root;" if os.geteuid() == 0 else ""
        main.write_text(NGINX_MAIN.format(dir=self.dir, user=user))
        return main

    def test_config(self) -> None:
        main = self.write_main()
        result = subprocess.run(
            ["/usr/sbin/nginx", "-t", "-c", str(main), "-e", str(self.dir / "error.log")],
            capture_output=True, text=True,
        )  # fmt: skip
        assert result.returncode == 0, f"nginx -t: {result.stderr}"

    def start(self, port: int) -> None:
        main = self.write_main()
        self.proc = subprocess.Popen(
            ["/usr/sbin/nginx", "-c", str(main), "-e", str(self.dir / "error.log")],
            stdout=subprocess.DEVNULL, stderr=open(self.dir / "stderr.log", "ab"),  # noqa: SIM115
        )  # fmt: skip
        wait_for_port(port, 10, self.proc)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (comments and blanks skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def unit_settings(path: Path) -> dict[str, list[str]]:
    """Every Key=value of a systemd unit, values in order (ExecStart may repeat)."""
    settings: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def systemd_unescape(command: str) -> list[str]:
    """An ExecStart= line as systemd runs it: `%%` is `%`, `$$` is `$`; no other specifier or
    variable is used by briefdesk's units (a new one fails here, to be taught to this test)."""
    plain = command.replace("%%", "").replace("$$", "")
    leftover = re.findall(r"%[^%]|\$\{?\w+", plain)
    assert not leftover, f"unit uses specifiers or variables the test cannot expand: {leftover}"
    return shlex.split(command.replace("%%", "%").replace("$$", "$"))
