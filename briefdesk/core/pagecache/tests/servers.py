"""Real servers the page cache's tests and benchmarks start on 127.0.0.1: redis-server,
varnishd and nginx from Debian (scripts/test.sh installs them), `briefdesk serve` on a data
directory, and wrk to load them; each on a free port, bounded in time, stopped at the end."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
VCL = REPO / "deploy" / "varnish" / "briefdesk.vcl"
BRIEFDESK = [str(REPO / ".venv" / "bin" / "python"), "-m", "briefdesk.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], what: str, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not listen on {port} within {timeout} s")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server (no persistence); yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="briefdesk-redis-") as directory:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", directory],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for_port(port, process, "redis-server")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            _stop(process)


@contextlib.contextmanager
def varnish(backend_port: int, memory: str = "64m") -> Iterator[int]:
    """varnishd with deploy/varnish/briefdesk.vcl in front of 127.0.0.1:backend_port; yields
    its port."""
    binary = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not Path(binary).exists():
        raise RuntimeError("varnishd is not installed (apt-get install varnish)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="briefdesk-varnish-") as directory:
        os.chmod(directory, 0o755)  # varnishd's compiler runs as its own user
        vcl = Path(directory) / "briefdesk.vcl"
        vcl.write_text(VCL.read_text().replace('"8000"', f'"{backend_port}"'))
        vcl.chmod(0o644)
        process = subprocess.Popen(
            [binary, "-F", "-f", str(vcl), "-a", f"127.0.0.1:{port}", "-n", directory,
             "-s", f"malloc,{memory}", "-T", "none"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for_port(port, process, "varnishd")
            yield port
        finally:
            _stop(process)


# --- briefdesk serve --------------------------------------------------------------------------


def production_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """A clean production environment for a site in `data_dir` served on `port`."""
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EMAIL_", "SENTRY_", "LOG_", "DJANGO_", "BRIEFDESK_", "SECURE_"))
        and k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "PAGE_CACHE"}
    }
    return {
        **kept,
        "BRIEFDESK_ENV_FILE": "",
        "DJANGO_SETTINGS_MODULE": "briefdesk.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "BRIEFDESK_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'briefdesk.sqlite3'}",
        "BRIEFDESK_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_ACCESS": "false",
        "PYTHONPATH": str(REPO),
        **extra,
    }


def demo_data_dir(data_dir: Path) -> Path:
    """`data_dir` with the demo content loaded (migrate, load_demo), unless already there."""
    if (data_dir / "briefdesk.sqlite3").exists():
        return data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    env = production_env(data_dir, 8000, DJANGO_SETTINGS_MODULE="briefdesk.settings.dev")
    env["DEBUG"] = "false"
    for step in (["migrate", "--noinput", "-v0"], ["load_demo", "--if-empty", "-v0"]):
        subprocess.run(
            [*BRIEFDESK, "manage", *step], env=env, cwd=REPO, check=True, timeout=900,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return data_dir


@dataclass
class Served:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return (
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read(),
                )
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()

    def kill(self) -> None:
        """kill -9 of the server and its workers."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextlib.contextmanager
def briefdesk_serve(
    data_dir: Path, *, workers: int = 2, port: int | None = None, **env: str
) -> Iterator[Served]:
    """`briefdesk serve` (granian, production settings) on the site in `data_dir`."""
    port = port or free_port()
    log = data_dir / f"serve-{port}.log"
    process = subprocess.Popen(
        [
            *BRIEFDESK,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=production_env(data_dir, port, **env),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    served = Served(port, process, log)
    try:
        try:
            wait_for_port(port, process, "briefdesk serve", timeout=180)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}:\n{log.read_text()[-3000:]}") from None
        yield served
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.kill()


# --- nginx serving a saved page ------------------------------------------------------------

NGINX_CONF = """
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/site;
        location / {{ default_type text/html; try_files $uri $uri/index.html =404; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx_serving(files: dict[str, bytes]) -> Iterator[int]:
    """nginx (2 workers, no access log) serving `files` (path -> body) as static files."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="briefdesk-nginx-") as directory:
        root = Path(directory)
        os.chmod(root, 0o755)
        for path, body in files.items():
            target = root / "site" / path.strip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        for folder in root.rglob("*"):
            folder.chmod(0o755 if folder.is_dir() else 0o644)
        (root / "nginx.conf").write_text(NGINX_CONF.format(dir=directory, port=port))
        process = subprocess.Popen(
            [binary, "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, process, "nginx")
            yield port
        finally:
            _stop(process)


# --- wrk ------------------------------------------------------------------------------------


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors (connect, read, write, timeout) and non-2xx/3xx answers
    output: str


def _ms(value: str) -> float:
    """wrk's latency ("812.00us", "1.53ms", "2.10s", "1.02m") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)?", value.strip())
    if match is None:
        raise ValueError(f"not a wrk latency: {value!r}")
    number, unit = match.groups()
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}
    return float(number) * scale[unit or "ms"]


def wrk(url: str, *, connections: int, seconds: int, threads: int = 2) -> Load:
    """wrk against `url` (loopback only), bounded by `seconds`; its figures parsed."""
    assert url.startswith(("http://127.0.0.1:", "http://localhost:")), url
    binary = shutil.which("wrk") or "/usr/bin/wrk"
    done = subprocess.run(
        [binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
         "--latency", url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    )  # fmt: skip
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # The latency distribution's own lines ("     50%    1.11ms"), not a "+/- Stdev" column.
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return Load(rps, p50, p99, total, errors, out)
