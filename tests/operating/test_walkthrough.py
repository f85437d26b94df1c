"""docs/operating.md, followed on loopback: from nothing to a site behind nginx, a backup, and a
restore into an empty database and data directory with every page, image and PDF intact.

The test runs the command blocks of the page in order, through bash, after putting this
machine's places for the operator's (`SUBSTITUTIONS`): the code is a copy of this checkout, the
venv, data directory, configuration file, units and nginx sites live in a temp directory,
PostgreSQL is a throwaway server, nginx listens on a high port with a self-signed certificate,
mail goes to an SMTP server on loopback. The commands it cannot run are in `NOT_RUN` with the
reason (and, for `systemctl` and `nginx`, what the test does in their place: it starts the units'
ExecStart lines as processes and nginx with the installed site). A command in neither list fails
test_operating_doc.py, in the ordinary suite.

"Machine A" is the first install; "machine B" is the new machine of the restore: a second
PostgreSQL server, data directory and configuration file, the same code, venv and ports.
Each step's time is printed (scripts/test.sh shows them).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import urllib3

from .doc import Block, OperatingDoc
from .loopback import (
    Mailbox,
    Nginx,
    Postgres,
    free_port,
    read_env_file,
    self_signed_certificate,
    systemd_unescape,
    unit_settings,
    wait_for_port,
)

pytestmark = pytest.mark.walkthrough

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "operating.md"
ADMIN_PASSWORD = "walk-through-Admin-9431"

# Commands of docs/operating.md the walkthrough does not run as written: (pattern, reason,
# what the test does instead). Every other command is run (RUN, test_operating_doc.py).
NOT_RUN: list[tuple[str, str, str | None]] = [
    (
        r"^apt-get ",
        "installs Debian packages machine-wide; scripts/test.sh and scripts/setup.sh "
        "install the same ones (postgresql, nginx, Pango, fonts)",
        None,
    ),
    (
        r"^adduser ",
        "creates a system account; the test runs every command as the user running "
        "the tests (runuser and -o/-g owners are dropped)",
        None,
    ),
    (
        r"^git clone ",
        "fetches a release tag from the public repository; the test copies this "
        "checkout (tracked and new files) instead",
        None,
    ),
    (
        r"^git -C /srv/briefdesk/app (fetch|checkout)",
        "needs the public repository and two "
        "release tags; the upgrade reinstalls this checkout in place",
        None,
    ),
    (
        r"^editor ",
        "an operator edits by hand; the test sets ALLOWED_HOSTS, BRIEFDESK_BASE_URL, "
        "EMAIL_URL to loopback values, keys that must be in the example file",
        "edit_env",
    ),
    (r"^systemctl daemon-reload$", "no systemd in the test", None),
    (
        r"^systemctl enable --now briefdesk\.service",
        "no systemd in the test: the installed "
        "units' ExecStart lines are started as processes with their EnvironmentFile",
        "start",
    ),
    (
        r"^systemctl enable --now briefdesk-backup\.timer",
        "no systemd in the test: the timer's service is run by the next command's stand-in",
        None,
    ),
    (
        r"^systemctl start briefdesk-backup\.service",
        "no systemd in the test: the installed "
        "unit's ExecStart and ExecStartPost are run (with systemd's %%/$$ unescaped)",
        "backup_unit",
    ),
    (r"^systemctl status ", "no systemd in the test; the test waits for the server's port", None),
    (
        r"^systemctl stop briefdesk\.service",
        "no systemd in the test: the processes are stopped",
        "stop",
    ),
    (
        r"^systemctl start briefdesk\.service",
        "no systemd in the test: the units' ExecStart lines are started",
        "start",
    ),
    (
        r"^systemctl restart briefdesk\.service",
        "no systemd in the test: the processes are stopped and started",
        "restart",
    ),
    (
        r"^systemctl reload nginx$",
        "no systemd in the test: nginx is started with the installed "
        "site included in a loopback main config",
        "nginx_start",
    ),
    (
        r"^nginx -t$",
        "would test the machine's nginx; the test runs nginx -t on its own main "
        "config including the installed site",
        "nginx_test",
    ),
    (
        r"^rm -f /etc/nginx/sites-enabled/default$",
        "removes the machine's default site; the test's nginx has none",
        None,
    ),
    (
        r"^certbot ",
        "needs a public DNS name and port 80 reachable from the internet; the test "
        "makes a self-signed certificate for 127.0.0.1 with openssl",
        None,
    ),
    (
        r"^journalctl ",
        "no journald in the test; the test reads the server's standard error, "
        "which is what the journal keeps",
        None,
    ),
    (
        r"^/srv/briefdesk/venv/bin/pip install '/srv/briefdesk/app\[sentry\]'$",
        "optional extra; "
        "sentry-sdk is not in the lock file (the Sentry settings have their own tests)",
        None,
    ),
    (r"^rsync ", "copies to another machine; there is none on loopback", None),
]

# The same, for a command only in one section (the text is the same elsewhere, where it runs).
NOT_RUN_IN_SECTION: list[tuple[str, str, str]] = [
    ("Upgrade", r"^/srv/briefdesk/venv/bin/pip install |^cd /srv/briefdesk/app && npm ci",
     "the commands of steps 4 and 5, run above; without a new release to fetch they would "
     "reinstall the same files (minutes on a busy machine)"),
]  # fmt: skip

# Commands the walkthrough runs (after SUBSTITUTIONS). A doc command in neither list fails
# test_operating_doc.py.
RUN: list[str] = [
    r"^python3\.11 -m venv /srv/briefdesk/venv$",
    r"^/srv/briefdesk/venv/bin/pip install (--require-hashes -r|--no-deps) /srv/briefdesk/app",
    r"^cd /srv/briefdesk/app && npm ci --omit=dev$",
    r"^install ",
    r"^printf '(SECRET_KEY|DATABASE_URL)=",
    r"^DB_PASSWORD=",
    r"^runuser -u postgres -- psql ",
    r"^unset DB_PASSWORD$",
    r"^runuser -u briefdesk -- /srv/briefdesk/venv/bin/briefdesk ",
    r"^/srv/briefdesk/venv/bin/briefdesk --version$",
    r"^sed -i 's/briefs\\\.example\\\.org/",
    r"^ln -sf /etc/nginx/sites-available/briefdesk\.conf ",
    r"^curl -fsS -w '\\n' https://briefs\.example\.org/healthz$",
    r"^ls ",
]


def not_run_entry(command: str, section: str) -> tuple[str, str, str | None] | None:
    for entry in NOT_RUN:
        if re.search(entry[0], command):
            return entry
    for where, pattern, reason in NOT_RUN_IN_SECTION:
        if where == section and re.search(pattern, command):
            return (pattern, reason, None)
    return None


def is_run(command: str) -> bool:
    return any(re.search(pattern, command) for pattern in RUN)


# --- the places ------------------------------------------------------------------------


@dataclass
class Shared:
    root: Path
    tls_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    serve_port: int = field(default_factory=free_port)

    @property
    def app(self) -> Path:
        return self.root / "app"

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"


@dataclass
class Machine:
    name: str
    shared: Shared
    pg: Postgres
    mailbox: Mailbox
    cert: tuple[Path, Path]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    nginx: Nginx | None = None

    @property
    def root(self) -> Path:
        return self.shared.root / self.name

    @property
    def env_file(self) -> Path:
        return self.root / "etc" / "briefdesk.env"

    def substitutions(self) -> list[tuple[str, str]]:
        """Operator's places → this machine's; longest first where one contains another."""
        s = self.shared
        return [
            ("runuser -u briefdesk -- ", ""),
            ("runuser -u postgres -- ", ""),
            ("-o root -g briefdesk ", ""),
            ("-o briefdesk -g briefdesk ", ""),
            ("-o briefdesk -g www-data ", ""),
            ("/srv/briefdesk/app", str(s.app)),
            ("/srv/briefdesk/venv", str(s.venv)),
            ("/var/lib/briefdesk", str(self.root / "data")),
            ("/var/cache/briefdesk", str(s.root / "cache")),
            ("/var/backups/briefdesk", str(s.root / "backups")),
            ("/etc/briefdesk/briefdesk.env", str(self.env_file)),
            ("/etc/briefdesk", str(self.root / "etc")),
            ("/etc/systemd/system/", str(s.root / "systemd") + "/"),
            ("/etc/nginx/", str(s.root / "nginx") + "/"),
            ("/var/log/nginx/", str(self.root) + "/"),
            ("/etc/letsencrypt/live/briefs.example.org/fullchain.pem", str(self.cert[0])),
            ("/etc/letsencrypt/live/briefs.example.org/privkey.pem", str(self.cert[1])),
            ("127.0.0.1:5432", f"127.0.0.1:{self.pg.port}"),
            ("127.0.0.1:8000", f"127.0.0.1:{s.serve_port}"),
            ("--port 8000", f"--port {s.serve_port}"),
            ("curl ", f"curl --cacert {self.cert[0]} "),
            ("https://briefs.example.org", s.base_url),
        ]  # fmt: skip

    def substitute(self, text: str) -> str:
        """One pass, longest match first: a replacement is never replaced again."""
        table = dict(self.substitutions())
        pattern = "|".join(re.escape(old) for old in sorted(table, key=len, reverse=True))
        return re.sub(pattern, lambda m: table[m.group(0)], text)

    def shell_env(self) -> dict[str, str]:
        """An operator's root shell: no settings of its own, the env file names everything."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            # The default /etc/briefdesk/briefdesk.env, moved (see SUBSTITUTIONS).
            "BRIEFDESK_ENV_FILE": str(self.env_file),
            "BRIEFDESK_ADMIN_PASSWORD": ADMIN_PASSWORD,
            **self.pg.env(),
        }
        for key in ("PIP_CERT", "PIP_DEFAULT_TIMEOUT"):
            if key in os.environ:
                env[key] = os.environ[key]
        # pip installs from the wheelhouse (the lock file's wheels, downloaded once), with the
        # same hash checks: the registry answers are not kept in pip's cache here, and
        # downloading 100 MB on every run would take minutes.
        env["PIP_NO_INDEX"] = "1"
        env["PIP_FIND_LINKS"] = str(wheelhouse())
        return env

    def unit_env(self, unit: dict[str, list[str]]) -> dict[str, str]:
        """A service's environment as systemd gives it: EnvironmentFile=, then Environment=."""
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "HOME": str(self.shared.root / "home"),
               "BRIEFDESK_ENV_FILE": str(self.env_file)}  # fmt: skip
        for path in unit.get("EnvironmentFile", []):
            env.update(read_env_file(Path(self.substitute(path))))
        for assignment in unit.get("Environment", []):
            key, value = self.substitute(assignment).split("=", 1)
            env[key] = value
        return env


# --- running the doc ---------------------------------------------------------------------


class Walkthrough:
    def __init__(self, shared: Shared, report) -> None:
        self.shared = shared
        self.report = report
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.monotonic()
        yield
        seconds = time.monotonic() - start
        self.timings.append((name, seconds))
        self.report(f"walkthrough: {seconds:6.1f} s  {name}")

    def run_commands(self, machine: Machine, commands: list[str]) -> str:
        if not commands:
            return ""
        script = "set -euo pipefail\n" + "\n".join(machine.substitute(c) for c in commands)
        result = subprocess.run(
            ["bash", "-c", script], cwd="/", env=machine.shell_env(),
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, (
            f"docs/operating.md commands failed (exit {result.returncode}) on {machine.name}:\n"
            f"{script}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
        )
        return result.stdout

    def run_block(self, machine: Machine, block: Block) -> str:
        output, pending = [], []
        for command in block.commands():
            entry = not_run_entry(command, block.section)
            if entry is None:
                pending.append(command)
                continue
            output.append(self.run_commands(machine, pending))
            pending = []
            if entry[2]:
                getattr(self, f"do_{entry[2]}")(machine)
        output.append(self.run_commands(machine, pending))
        return "".join(output)

    # stand-ins for systemctl, the editor and nginx

    def do_edit_env(self, machine: Machine) -> None:
        values = {
            "ALLOWED_HOSTS": "127.0.0.1",
            "BRIEFDESK_BASE_URL": self.shared.base_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{machine.mailbox.port}",
        }
        # The example's paths are the operator's (/var/lib/briefdesk, /srv/briefdesk/app…).
        lines = machine.substitute(machine.env_file.read_text()).splitlines()
        for key, value in values.items():
            at = [i for i, line in enumerate(lines) if line.startswith(f"{key}=")]
            assert at, f"deploy/briefdesk.env.example has no {key}= line to edit"
            lines[at[0]] = f"{key}={value}"
        machine.env_file.write_text("\n".join(lines) + "\n")

    def units(self) -> Path:
        return self.shared.root / "systemd"

    def do_start(self, machine: Machine) -> None:
        (self.shared.root / "home").mkdir(exist_ok=True)
        (self.shared.root / "cache").mkdir(exist_ok=True)
        for name in ("briefdesk.service", "briefdesk-scheduler.service"):
            unit = unit_settings(self.units() / name)
            (command,) = unit["ExecStart"]
            log = open(machine.root / f"{name}.log", "ab")  # noqa: SIM115 - the process keeps it
            machine.processes[name] = subprocess.Popen(
                systemd_unescape(machine.substitute(command)),
                cwd=machine.substitute(unit["WorkingDirectory"][0]),
                env=machine.unit_env(unit), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for_port(self.shared.serve_port, 90, machine.processes["briefdesk.service"])
        time.sleep(0.5)
        for name, proc in machine.processes.items():
            assert proc.poll() is None, f"{name} exited: {self.log(machine, name)[-2000:]}"

    def do_stop(self, machine: Machine) -> None:
        for proc in machine.processes.values():
            proc.terminate()
        for name, proc in machine.processes.items():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                pytest.fail(f"{name} did not stop within 30 s of SIGTERM")
        machine.processes.clear()

    def do_restart(self, machine: Machine) -> None:
        self.do_stop(machine)
        self.do_start(machine)

    def do_backup_unit(self, machine: Machine) -> None:
        unit = unit_settings(self.units() / "briefdesk-backup.service")
        for command in unit["ExecStart"] + unit.get("ExecStartPost", []):
            result = subprocess.run(
                systemd_unescape(machine.substitute(command)),
                cwd=machine.substitute(unit["WorkingDirectory"][0]),
                env=machine.unit_env(unit), capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert result.returncode == 0, f"{command}: {result.stderr[-2000:]}"

    def nginx_for(self, machine: Machine) -> Nginx:
        """nginx with the installed site, this machine's places and loopback ports put in."""
        directory = machine.root / "nginx"
        (directory / "sites-enabled").mkdir(parents=True, exist_ok=True)
        enabled = self.shared.root / "nginx" / "sites-enabled"
        confs = sorted(enabled.glob("*.conf"))
        assert confs, "no site in /etc/nginx/sites-enabled after the nginx step"
        for conf in confs:
            text = machine.substitute(conf.read_text())
            tls, http = self.shared.tls_port, self.shared.http_port
            text = re.sub(r"listen\s+443\b[^;]*;", f"listen 127.0.0.1:{tls} ssl;", text)
            text = re.sub(r"listen\s+\[::\]:\d+[^;]*;", "", text)
            text = re.sub(r"listen\s+80\b[^;]*;", f"listen 127.0.0.1:{http};", text)
            (directory / "sites-enabled" / conf.name).write_text(text)
        return Nginx(directory)

    def do_nginx_test(self, machine: Machine) -> None:
        self.nginx_for(machine).test_config()

    def do_nginx_start(self, machine: Machine) -> None:
        if machine.nginx:
            machine.nginx.stop()
        machine.nginx = self.nginx_for(machine)
        machine.nginx.start(self.shared.tls_port)

    def log(self, machine: Machine, unit: str = "briefdesk.service") -> str:
        path = machine.root / f"{unit}.log"
        return path.read_text(errors="replace") if path.exists() else ""


# --- what a person does in a browser ------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.inputs: dict[str, str] = {}
        self.options: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])
        if tag == "meta" and a.get("content", "") and "/media/" in (a.get("content") or ""):
            self.links.append(a["content"])
        if tag == "input" and a.get("name"):
            self.inputs[a["name"]] = a.get("value") or ""
        if tag == "option" and a.get("value"):
            self.options.append(a["value"])


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def session(machine: Machine) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # no proxy, no REQUESTS_CA_BUNDLE from the environment: loopback
    s.verify = str(machine.cert[0])
    return s


def post_form(s: requests.Session, base: str, path: str, data: dict, files=None):
    page = s.get(base + path)
    assert page.status_code == 200, f"GET {path}: {page.status_code}"
    fields = parse(page.text).inputs
    form = {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], **data}
    return page, s.post(base + path, data=form, files=files, headers={"Referer": base + path})


def log_in(s: requests.Session, base: str) -> None:
    login = {"username": "admin", "password": ADMIN_PASSWORD, "next": "/admin/"}
    _, response = post_form(s, base, "/admin/login/", login)
    assert response.status_code == 200 and urlsplit(response.url).path == "/admin/", (
        f"admin login: {response.status_code} at {response.url}"
    )


def photo_png() -> bytes:
    """A 4 MB PNG (noise does not compress): more than nginx's default 1 MB body limit."""
    from PIL import Image

    image = Image.frombytes("RGB", (1200, 1200), os.urandom(1200 * 1200 * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


MAKE_BRIEF = """
from wagtail.images.models import Image
from briefdesk.briefs.models import BriefIndexPage, BriefPage
image = Image.objects.get(title="Walkthrough photo")
index = BriefIndexPage.objects.get()
brief = BriefPage(
    title="What the Walkthrough Found",
    slug="what-the-walkthrough-found",
    summary="An operator follows the docs from nothing to a running site.",
    body=[
        ("paragraph", "<p>Every step of docs/operating.md was run on loopback.</p>"),
        ("figure", {"image": image, "alt": "Noise", "caption": "A photo", "credit": "The test"}),
    ],
)
index.add_child(instance=brief)
brief.save_revision().publish()
print(brief.url_path)
"""


def crawl(base: str, cert: Path, start: list[str], limit: int = 80) -> dict[str, tuple[int, bytes]]:
    """Public GETs from `start`, following same-origin links (not /admin/, not /static/)."""
    s = requests.Session()
    s.trust_env = False
    s.verify = str(cert)
    seen: dict[str, tuple[int, bytes]] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = s.get(base + path, allow_redirects=False)
        seen[path] = (response.status_code, response.content)
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        for link in parse(response.text).links:
            url = urlsplit(urljoin(base + path, link))
            if f"{url.scheme}://{url.netloc}" != base or url.query:
                continue
            if url.path.startswith(("/admin/", "/static/")) or url.path in seen:
                continue
            queue.append(url.path)
    return seen


# --- the walkthrough ------------------------------------------------------------------


def wheelhouse() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return Path(os.environ.get("BRIEFDESK_WALKTHROUGH_WHEELS") or base / "briefdesk-walkthrough")


def fill_wheelhouse() -> None:
    """The wheels of requirements/base.lock (and setuptools, to build briefdesk), downloaded
    once per version of the lock file."""
    lock = REPO / "requirements" / "base.lock"
    directory = wheelhouse()
    stamp = directory / ".base.lock.sha256"
    digest = hashlib.sha256(lock.read_bytes() + b"setuptools>=75").hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for args in (["--require-hashes", "-r", str(lock)], ["setuptools>=75", "wheel"]):
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "-d", str(directory), *args],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, f"pip download {args}: {result.stderr[-2000:]}"
    stamp.write_text(digest)


def copy_checkout(destination: Path) -> None:
    """This checkout's tracked and new (not ignored) files, as a clone of it would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def test_an_operator_following_the_docs_gets_a_site_that_backs_up_and_restores_whole(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    urllib3.disable_warnings()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def report(line: str) -> None:
        """Each step's time on the terminal as it ends, passed or failed (not captured)."""
        if reporter and capture:
            with capture.global_and_fixture_disabled():
                reporter.write_line(line)
        else:
            print(line, file=sys.stderr)

    shared = Shared(tmp_path)
    walk = Walkthrough(shared, report)
    doc = OperatingDoc.read(DOC)
    mailbox = Mailbox()
    mailbox.start()
    cert = self_signed_certificate(tmp_path)
    machines: list[Machine] = []

    def machine(name: str) -> Machine:
        pg = Postgres()
        pg.start()
        (tmp_path / name / "etc").parent.mkdir(parents=True, exist_ok=True)
        made = Machine(name, shared, pg, mailbox, cert)
        machines.append(made)
        return made

    try:
        total = time.monotonic()
        with walk.step("wheelhouse of requirements/base.lock (downloads only when it changed)"):
            fill_wheelhouse()
        with walk.step("a copy of the checkout; PostgreSQL A; SMTP on loopback; certificate"):
            copy_checkout(shared.app)
            (tmp_path / "systemd").mkdir()
            (tmp_path / "nginx" / "sites-available").mkdir(parents=True)
            (tmp_path / "nginx" / "sites-enabled").mkdir(parents=True)
            a = machine("a")

        restores = [i for i, b in enumerate(doc.blocks) if "briefdesk restore" in b.text]
        assert restores, "docs/operating.md has no command block with `briefdesk restore`"
        restore_at = restores[0]
        content: dict[str, tuple[int, bytes]] = {}
        for i, block in enumerate(doc.blocks):
            if i == restore_at:
                break
            if block.lang == "cron":
                with walk.step(f"{block.section}: the cron line, from /"):
                    env = a.shell_env()
                    for command in doc.cron_commands():
                        result = subprocess.run(
                            a.substitute(command), shell=True, cwd="/", env=env,
                            capture_output=True, text=True,
                        )  # fmt: skip
                        assert result.returncode == 0, f"{command}: {result.stderr[-2000:]}"
                continue
            if block.lang != "sh":
                continue
            with walk.step(f"{block.section}: {block.commands()[0][:60]}"):
                walk.run_block(a, block)
            if block.section == "Email":
                mail = a.mailbox.wait_for(lambda m: "test email" in (m["Subject"] or "").lower())
                assert mail["To"] == "you@example.org", mail["To"]
            if block.section.startswith("12."):
                with walk.step("the site through nginx: health, admin login, 4 MB upload, brief"):
                    content = exercise_site(walk, a)

        with walk.step("two backups there (by hand, by the unit); machine A stopped"):
            backups = sorted(p for p in (tmp_path / "backups").iterdir() if p.is_dir())
            assert len(backups) >= 2, f"backups: {backups}"
            walk.do_stop(a)
            if a.nginx:
                a.nginx.stop()
            a.pg.stop()

        with walk.step("machine B: PostgreSQL B; data dir, configuration file, database (6-8)"):
            b = machine("b")
            for block in doc.command_blocks():
                if block.section.split(".")[0] in ("6", "7", "8"):
                    walk.run_block(b, block)

        with walk.step("restore into the empty database and data dir; init; start"):
            walk.run_block(b, doc.blocks[restore_at])
            walk.do_nginx_start(b)

        with walk.step("every public page, image and PDF byte-identical after the restore"):
            after = crawl(shared.base_url, cert[0], list(content), limit=len(content) + 1)
            differ = [p for p in content if after.get(p) != content[p]]
            assert not differ, f"differ after restore: {differ[:10]}"
            s = session(b)
            log_in(s, shared.base_url)

        for block in doc.command_blocks():
            if block.section == "Upgrade":
                with walk.step("Upgrade, in place on machine B"):
                    output = walk.run_block(b, block)
                assert '"status": "ok"' in output.replace('":"', '": "'), output
                assert re.search(r"^briefdesk \d+\.\d+\.\d+$", output, re.M), output
        report(f"walkthrough: {time.monotonic() - total:6.1f} s  in all")
    finally:
        for m in machines:
            walk.do_stop(m) if m.processes else None
            if m.nginx:
                m.nginx.stop()
            m.pg.stop()
        mailbox.stop()


def exercise_site(walk: Walkthrough, a: Machine) -> dict[str, tuple[int, bytes]]:
    base = walk.shared.base_url
    s = session(a)
    health = s.get(base + "/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok", health.text
    request_id = health.headers.get("X-Request-ID")
    assert request_id, "no X-Request-ID on /healthz"

    log_in(s, base)
    collections = parse(s.get(base + "/admin/images/add/").text).options or ["1"]
    _, uploaded = post_form(
        s, base, "/admin/images/add/",
        {"title": "Walkthrough photo", "collection": collections[0], "tags": ""},
        files={"file": ("photo.png", photo_png(), "image/png")},
    )  # fmt: skip
    assert uploaded.status_code == 200, f"image upload: {uploaded.status_code}"
    assert urlsplit(uploaded.url).path == "/admin/images/", f"upload stayed on {uploaded.url}"

    shell = subprocess.run(
        [str(walk.shared.venv / "bin" / "briefdesk"), "manage", "shell", "-c", MAKE_BRIEF],
        cwd="/", env=a.shell_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shell.returncode == 0, shell.stderr[-3000:]

    _, reset = post_form(s, base, "/admin/password_reset/", {"email": "you@example.org"})
    assert reset.status_code == 200, f"password reset: {reset.status_code}"
    mail = a.mailbox.wait_for(lambda m: "password" in (m["Subject"] or "").lower())
    assert mail["To"] == "you@example.org"

    brief_url = "/briefs/what-the-walkthrough-found/"
    content = crawl(base, a.cert[0], ["/", brief_url, brief_url + "pdf/", "/sitemap.xml"])
    brief = content["/briefs/what-the-walkthrough-found/"]
    assert brief[0] == 200, brief[0]
    pdf = content["/briefs/what-the-walkthrough-found/pdf/"]
    assert pdf[0] == 200 and pdf[1].startswith(b"%PDF"), pdf[0]
    images = [p for p in content if p.startswith("/media/images/")]
    assert images and all(content[p][0] == 200 for p in images), images
    assert s.get(base + "/media/original_images/photo.png").status_code == 404

    log = walk.log(a)
    lines = [line for line in log.splitlines() if request_id in line]
    assert lines, f"no log line carries the request id {request_id}:\n{log[-2000:]}"
    assert re.match(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d", lines[0]), lines[0]
    assert re.search(r"\b(INFO|WARNING|ERROR|DEBUG)\b", lines[0]), lines[0]
    return content
