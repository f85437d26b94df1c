"""The `briefdesk` command: thin wrappers over Django management commands and the server.

briefdesk --version                       the installed version
briefdesk init [--admin USER --admin-email EMAIL]
                                          first run and upgrade step: data dir, checks, migrate,
                                          the site's pages, static files, an admin (idempotent)
briefdesk check                           is everything in place to serve? one line per problem
briefdesk serve [--host H] [--port N]     production server (granian, WSGI), after the checks
briefdesk demo [--port N]                 migrate, load the demo if empty, serve on 127.0.0.1
                                          as production does (DEBUG off, collected static);
                                          (BRIEFDESK_BASE_URL http://127.0.0.1:N unless set)
briefdesk scheduler [--interval S]        publish scheduled briefs on a timer
briefdesk worker [--queue Q] [--interval S] [--once] [--reclaim-after SECONDS]
                 [--worker-id ID]         run background jobs (captures, link checks, related
                                          scores, PDFs) when TASKS_BACKEND=database
briefdesk create-admin | backup | restore | pdf | import-references | reformat-citations
  | related | archive | check-links | source-from-url ...
  | search | import-html | import-markdown | export | import-jsonl | bake ...
briefdesk manage ARGS...                  Django's manage.py

Every failure is one line on stderr and a non-zero exit, never a traceback. The env file
(BRIEFDESK_ENV_FILE, default /etc/briefdesk/briefdesk.env) is read first, so it may choose
DJANGO_SETTINGS_MODULE too.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path
from types import TracebackType

DEV_SETTINGS = "briefdesk.settings.dev"
PROD_SETTINGS = "briefdesk.settings.production"
# Verbs that are management commands underneath.
COMMAND_VERBS = {
    "archive": "archive",
    "backup": "backup",
    "bake": "bake",
    "check-links": "check_links",
    "create-admin": "create_admin",
    "export": "export_site",
    "import-html": "import_html",
    "import-jsonl": "import_jsonl",
    "import-markdown": "import_markdown",
    "import-references": "import_references",
    "pdf": "brief_pdf",
    "reformat-citations": "reformat_citations",
    "related": "related",
    "restore": "restore",
    "scheduler": "run_scheduler",
    "search": "search_index",
    "source-from-url": "source_from_url",
    "worker": "worker",
}
# Checks `init` leaves to the steps that follow them (migrate, init_site).
BEFORE_MIGRATE = frozenset({"migrations", "site"})
_MISSING_TABLE = re.compile(r'no such table|relation ".*" does not exist', re.IGNORECASE)


def _fail(message: str) -> int:
    print(f"briefdesk: {message}", file=sys.stderr)
    return 2


def _say(message: str) -> None:
    print(f"briefdesk: {message}", flush=True)


def _version() -> str:
    from briefdesk import __version__

    return f"briefdesk {__version__}"


def _load_env_file() -> str | None:
    """Read the env file (settings/paths.py does it on import); its error in one line."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        import briefdesk.settings.paths  # noqa: F401
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "unknown error"


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _raised_while_connecting(exc: BaseException) -> bool:
    """True when the error came from opening a database connection, not from a query."""
    trace: TracebackType | None = exc.__traceback__
    while trace is not None:
        code = trace.tb_frame.f_code
        if code.co_name in {"connect", "get_new_connection"} and (
            f"django{os.sep}db{os.sep}backends" in code.co_filename
        ):
            return True
        trace = trace.tb_next
    return False


def _database_error(exc: BaseException, command: str) -> str:
    if _raised_while_connecting(exc):
        from briefdesk.core.preflight import connection_failure

        return connection_failure(exc)
    line = _first_line(exc)
    # The hint is for a database that was never migrated; during migrate it would send the
    # operator round in a circle.
    if command != "migrate" and _MISSING_TABLE.search(line):
        return f"database error: {line} (is it migrated? run briefdesk init)"
    return f"database error: {line}"


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or _first_line(exc)
    if exc.filename is None:
        return reason
    if exc.errno in {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.ENOSPC}:
        return f"cannot write {exc.filename}: {reason}"
    return f"{reason}: {exc.filename}"


def _create_sqlite_parent() -> None:
    """migrate creates an SQLite database file; give it its directory (never at import)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if database.get("ENGINE") == "django.db.backends.sqlite3" and Path(name).is_absolute():
        Path(name).parent.mkdir(parents=True, exist_ok=True)


def _manage(argv: list[str], default_settings: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    command = argv[0] if argv else ""
    try:
        if command == "migrate":
            _create_sqlite_parent()
        execute_from_command_line(["briefdesk manage", *argv])
    except ImproperlyConfigured as exc:
        return _fail(_one_line(str(exc)))
    except DatabaseError as exc:
        return _fail(_database_error(exc, command))
    except OSError as exc:
        return _fail(_os_error(exc))
    except RuntimeError as exc:
        from briefdesk.citations.engine import CiteprocUnavailable

        if isinstance(exc, CiteprocUnavailable):
            return _fail(str(exc))
        raise
    return 0


def _settings_error(settings_module: str) -> str | None:
    """Load the settings here (no apps, no V8) so a bad configuration ends in one line."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - importing the settings module is the check
    except ImproperlyConfigured as exc:
        return _one_line(str(exc))
    except ImportError as exc:
        return f"cannot load settings {settings_module!r}: {exc}"
    return None


def _prepare_data_dir() -> str | None:
    """Create the data directory, the media and private roots (which /healthz checks) and the
    SQLite file's directory; why that failed, or None."""
    from django.conf import settings

    roots = (settings.DATA_DIR, settings.MEDIA_ROOT, settings.BRIEFDESK_PRIVATE_ROOT)
    dirs = [Path(root) for root in roots]
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if database.get("ENGINE") == "django.db.backends.sqlite3" and Path(name).is_absolute():
        dirs.append(Path(name).parent)
    for path in dirs:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"cannot create the data dir {path}: {exc.strerror or _first_line(exc)}"
    return None


def _preflight(settings_module: str, skip: Collection[str] = ()) -> list[str]:
    """briefdesk.core.preflight in this process; the connection is closed before returning,
    so a server forked afterwards inherits none."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    from briefdesk.core.preflight import STORAGE, run_preflight, storage_problems

    # The directories first, with the settings alone: loading the apps may already read from
    # them (the static files manifest), and their fault is the one to report.
    problems = storage_problems() if STORAGE not in skip else []
    try:
        django.setup()
    except OSError as exc:
        return problems or [f"cannot start: {_os_error(exc)}"]
    except Exception as exc:  # an app's import or ready() failing: still one line
        return problems or [f"cannot start: {_first_line(exc)}"]
    from django.db import connections

    try:
        problems += [str(problem) for problem in run_preflight({*skip, STORAGE})]
    finally:
        connections.close_all()
    return problems


def _collect_static(settings_module: str) -> str | None:
    """collectstatic when the stamp in STATIC_ROOT is stale; why it failed, or None."""
    from briefdesk.core.static_stamp import (
        static_fingerprint,
        static_is_current,
        write_static_stamp,
    )

    fingerprint = static_fingerprint()
    if static_is_current(fingerprint):
        _say("static files are current; collectstatic skipped")
        return None
    step = ["collectstatic", "--noinput", "-v0"]
    code = _run_child(step, settings_module)
    if code:
        return f"'{' '.join(step)}' failed (exit {code})"
    try:
        write_static_stamp(fingerprint)
    except OSError as exc:
        return _os_error(exc)
    _forget_static_storage()
    _say("static files collected")
    return None


def _forget_static_storage() -> None:
    """Loading the apps already made the static files storage, and a manifest storage read its
    manifest then, before collectstatic wrote it: the server forked from this process would
    answer every {% static %} with "Missing staticfiles manifest entry". Make it anew."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.files.storage import storages
    from django.utils.functional import empty

    # Private Django attributes, absent from django-stubs.
    storages._storages.pop("staticfiles", None)  # type: ignore[attr-defined]
    staticfiles_storage._wrapped = empty  # type: ignore[attr-defined]


def _needs_collected_static() -> bool:
    """True when the static files storage serves only collected files (a manifest of hashed
    names: production's, and the demo's without DEBUG); WhiteNoise serves the others from the
    apps' directories without collectstatic."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.utils.module_loading import import_string

    backend = import_string(settings.STORAGES["staticfiles"]["BACKEND"])
    return issubclass(backend, ManifestFilesMixin)


def _child_env(settings_module: str) -> dict[str, str]:
    return dict(os.environ, DJANGO_SETTINGS_MODULE=settings_module)


def _child_argv(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "briefdesk.cli", "manage", *argv]


def _run_child(argv: list[str], settings_module: str) -> int:
    # Database work runs in a child process so this one never starts V8 (citations) before
    # the server forks its workers: a V8 context made before a fork hangs in the child.
    return subprocess.call(_child_argv(argv), env=_child_env(settings_module))


def _run_step(argv: list[str], settings_module: str) -> str | None:
    """Run a management command in a child (output passes through); None, or one line saying
    why it failed: the child's own one-line reason when it gave one."""
    child = subprocess.run(
        _child_argv(argv),
        env=_child_env(settings_module),
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = [line for line in child.stderr.splitlines() if line.strip()]
    if child.returncode == 0:
        sys.stderr.write(child.stderr)
        return None
    for line in reversed(lines):
        for prefix in ("briefdesk: ", "CommandError: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    # Not a one-line reason (Django's system check report, say): show it as it came.
    sys.stderr.write(child.stderr)
    return f"'{' '.join(argv)}' failed (exit {child.returncode})"


def _start_child(argv: list[str], settings_module: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(_child_argv(argv), env=_child_env(settings_module))


def _serve(host: str, port: int, workers: int, settings_module: str) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    try:
        django.setup()
    except Exception as exc:
        return _fail(f"cannot start: {exc}")
    from django.conf import settings

    print(f"briefdesk: serving on http://{host}:{port}/ (admin at /admin/)", flush=True)
    Granian(
        "briefdesk.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=4,
        # granian's own lines (start, workers, errors) in briefdesk's log format.
        log_dictconfig=settings.LOGGING,
    ).serve()
    return 0


def _report(problems: list[str]) -> int:
    for problem in problems:
        print(f"briefdesk: {problem}", file=sys.stderr)
    return 1


def _init(args: argparse.Namespace, settings_module: str) -> int:
    """The first run and every upgrade: each step says one line, the first failure stops."""
    error = _prepare_data_dir()
    if error:
        return _fail(error)
    from django.conf import settings

    _say(f"data dir {settings.DATA_DIR} ready")
    problems = _preflight(settings_module, skip=BEFORE_MIGRATE)
    if problems:
        return _report(problems)
    _say("checks passed (database, storage, system checks)")
    steps: list[tuple[list[str], str]] = [
        (["migrate", "--noinput", "-v0"], "database migrated"),
        (["init_site"], "site initialised"),
        # Built when missing or of another version, else brought up to date: the first
        # search after an upgrade never builds it inside a reader's request.
        (["search_index", "--sync", "-v0"], "search index ready"),
    ]
    for step, done in steps:
        reason = _run_step(step, settings_module)
        if reason:
            return _fail(f"init stopped at '{step[0]}': {reason}")
        _say(done)
    reason = _collect_static(settings_module)
    if reason:
        return _fail(f"init stopped at 'collectstatic': {reason}")
    if args.admin:
        step = ["create_admin", args.admin, "--email", args.admin_email]
        if args.admin_password_file:
            step += ["--password-file", args.admin_password_file]
        reason = _run_step(step, settings_module)
        if reason:
            return _fail(f"init stopped at 'create_admin': {reason}")
    _say("init done")
    return 0


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not between 1 and 65535")
    return port


def demo_base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefdesk", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser(
        "init",
        help="first run and upgrade: data dir, checks, migrate, site pages, static, admin",
    )
    init.add_argument("--admin", metavar="USERNAME", help="also create this admin user")
    init.add_argument("--admin-email", metavar="EMAIL", help="the admin's email address")
    init.add_argument(
        "--admin-password-file",
        metavar="FILE",
        help="the admin's password (else BRIEFDESK_ADMIN_PASSWORD, else a prompt)",
    )
    sub.add_parser("check", help="check everything serve needs; one line per problem")
    serve = sub.add_parser("serve", help="serve the site with a production server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    demo = sub.add_parser("demo", help="set up and serve the demo site on 127.0.0.1")
    demo.add_argument("--port", type=_port, default=8000)
    sub.add_parser("manage", help="run a Django management command (briefdesk manage help)")
    # Listed for --help; they are dispatched to management commands before parsing.
    sub.add_parser(
        "create-admin",
        help="create an admin user (briefdesk create-admin USER --email EMAIL "
        "[--password-file FILE])",
    )
    sub.add_parser("backup", help="back up the database and files (briefdesk backup DIR)")
    sub.add_parser("restore", help="restore a backup into an empty site (briefdesk restore DIR)")
    sub.add_parser("import-references", help="import CSL-JSON, BibTeX or RIS references")
    sub.add_parser("pdf", help="write a brief's PDF (briefdesk pdf SLUG [-o FILE] [--style KEY])")
    sub.add_parser(
        "reformat-citations",
        help="re-format every stored citation (briefdesk reformat-citations [--processes N])",
    )
    sub.add_parser("related", help="More on This Topic: briefdesk related --rebuild")
    sub.add_parser("search", help="the search index: briefdesk search --rebuild|--sync|--status")
    sub.add_parser("scheduler", help="publish scheduled briefs every minute (until stopped)")
    sub.add_parser(
        "worker",
        help="run background jobs from the database queue (TASKS_BACKEND=database): "
        "briefdesk worker [--queue Q] [--interval S] [--once] [--reclaim-after SECONDS]",
    )
    sub.add_parser("archive", help="capture sources' pages into the private archive")
    sub.add_parser("check-links", help="check that cited sources' links still answer")
    sub.add_parser("source-from-url", help="make a source from a web page's metadata (URL)")
    sub.add_parser("import-html", help="import saved brief pages (briefdesk import-html PATH...)")
    sub.add_parser("import-markdown", help="import briefs written in Markdown (DIR)")
    sub.add_parser("export", help="export the whole site, losslessly (briefdesk export OUT.jsonl)")
    sub.add_parser("import-jsonl", help="import an export into an empty site (IN.jsonl)")
    sub.add_parser("bake", help="the public site as static files (briefdesk bake OUTDIR)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:
        # Before the env file: the version must be readable whatever the configuration.
        print(_version())
        return 0
    error = _load_env_file()
    if error:
        return _fail(error)
    if argv[:1] == ["manage"]:
        return _manage(argv[1:], os.environ.get("DJANGO_SETTINGS_MODULE", DEV_SETTINGS))
    if argv and argv[0] in COMMAND_VERBS:
        settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", DEV_SETTINGS)
        return _manage([COMMAND_VERBS[argv[0]], *argv[1:]], settings_module)

    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "init" and bool(args.admin) != bool(args.admin_email):
        parser.error("--admin USERNAME and --admin-email EMAIL go together")

    if args.command == "demo":
        # Every absolute URL (canonical links, citations, the sitemap) is built from the base
        # URL; the demo's is where it serves. Set before the settings load, so this process
        # (the server) and its children (migrate, the demo loader, the scheduler) agree.
        base_url = os.environ.setdefault("BRIEFDESK_BASE_URL", demo_base_url(args.port))
        if base_url.rstrip("/") != demo_base_url(args.port):
            print(f"briefdesk: links and citations use BRIEFDESK_BASE_URL={base_url}", flush=True)
    default = DEV_SETTINGS if args.command == "demo" else PROD_SETTINGS
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", default)
    if args.command == "demo" and settings_module == DEV_SETTINGS:
        # The demo is what readers will see: no debug pages (settings/dev.py then keeps a
        # generated key in the data dir). DEBUG=true in the environment still wins.
        os.environ.setdefault("DEBUG", "false")
    error = _settings_error(settings_module)
    if error:
        return _fail(error)
    if args.command == "init":
        return _init(args, settings_module)
    if args.command == "check":
        problems = _preflight(settings_module)
        if problems:
            return _report(problems)
        _say("ready to serve (database, migrations, site, storage, system checks)")
        return 0
    if args.command == "demo":
        error = _prepare_data_dir()
        if error:
            return _fail(error)
        for step in (["migrate", "--noinput"], ["load_demo", "--if-empty"]):
            code = _run_child(step, settings_module)
            if code:
                return _fail(f"'{' '.join(step)}' failed (exit {code})")
        if _needs_collected_static():
            import django

            django.setup()  # the fingerprint lists the apps' static files (no database)
            reason = _collect_static(settings_module)
            if reason:
                return _fail(reason)
        # Scheduled briefs go live in the demo as they will in production: a timer beside
        # the server (a child process, so this one still never starts V8 before serving).
        # No daily link check: it would fetch the demo sources' real URLs and replace the
        # link states the demo shows with whatever the network says that night.
        scheduler = _start_child(["run_scheduler", "--links-at", "off"], settings_module)
        try:
            return _serve("127.0.0.1", args.port, 1, settings_module)
        finally:
            scheduler.terminate()
    if args.command == "serve":
        # Everything the site needs, checked before "serving on": the database answers and is
        # migrated, the site is initialised, the data dirs take files, and Django's system
        # checks pass (a weak SECRET_KEY, briefdesk.E001; citeproc-js, briefdesk.E003).
        problems = _preflight(settings_module)
        if problems:
            return _report(problems)
        reason = _collect_static(settings_module)
        if reason:
            return _fail(reason)
        return _serve(args.host, args.port, args.workers, settings_module)
    return 0


if __name__ == "__main__":
    sys.exit(main())
