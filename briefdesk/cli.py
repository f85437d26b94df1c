"""The `briefdesk` command: thin wrappers over Django management commands and the server.

briefdesk demo [--port N]                 migrate, load the demo if empty, serve on 127.0.0.1
                                          (BRIEFDESK_BASE_URL http://127.0.0.1:N unless set)
briefdesk serve [--host H] [--port N]     production server (granian, WSGI)
briefdesk scheduler [--interval S]        publish scheduled briefs on a timer
briefdesk manage ARGS...                  Django's manage.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

DEV_SETTINGS = "briefdesk.settings.dev"
# Verbs that are management commands underneath.
COMMAND_VERBS = {
    "import-references": "import_references",
    "pdf": "brief_pdf",
    "reformat-citations": "reformat_citations",
    "scheduler": "run_scheduler",
}
PROD_SETTINGS = "briefdesk.settings.production"


def _fail(message: str) -> int:
    print(f"briefdesk: {message}", file=sys.stderr)
    return 2


def _manage(argv: list[str], default_settings: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["briefdesk manage", *argv])
    except ImproperlyConfigured as exc:
        return _fail(str(exc))
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _fail(f"database error: {first_line} (is it migrated? briefdesk manage migrate)")
    return 0


def _settings_error(settings_module: str) -> str | None:
    """Load the settings here (no apps, no V8) so a bad configuration ends in one line."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - importing the settings module is the check
    except ImproperlyConfigured as exc:
        return str(exc)
    except ImportError as exc:
        return f"cannot load settings {settings_module!r}: {exc}"
    return None


def _run_child(argv: list[str], settings_module: str) -> int:
    # Database work runs in a child process so this one never starts V8 (citations) before
    # the server forks its workers: a V8 context made before a fork hangs in the child.
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.call([sys.executable, "-m", "briefdesk.cli", "manage", *argv], env=env)


def _start_child(argv: list[str], settings_module: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.Popen([sys.executable, "-m", "briefdesk.cli", "manage", *argv], env=env)


def _serve(host: str, port: int, workers: int, settings_module: str) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    try:
        django.setup()
    except Exception as exc:
        return _fail(f"cannot start: {exc}")
    print(f"briefdesk: serving on http://{host}:{port}/ (admin at /admin/)", flush=True)
    Granian(
        "briefdesk.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=4,
    ).serve()
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


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["manage"]:
        return _manage(argv[1:], os.environ.get("DJANGO_SETTINGS_MODULE", DEV_SETTINGS))
    if argv and argv[0] in COMMAND_VERBS:
        settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", DEV_SETTINGS)
        return _manage([COMMAND_VERBS[argv[0]], *argv[1:]], settings_module)

    parser = argparse.ArgumentParser(prog="briefdesk", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="set up and serve the demo site on 127.0.0.1")
    demo.add_argument("--port", type=_port, default=8000)
    serve = sub.add_parser("serve", help="serve the site with a production server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    sub.add_parser("manage", help="run a Django management command (briefdesk manage help)")
    # Listed for --help; they are dispatched to management commands before parsing.
    sub.add_parser("import-references", help="import CSL-JSON, BibTeX or RIS references")
    sub.add_parser("pdf", help="write a brief's PDF (briefdesk pdf SLUG [-o FILE] [--style KEY])")
    sub.add_parser("reformat-citations", help="re-format every stored citation")
    sub.add_parser("scheduler", help="publish scheduled briefs every minute (until stopped)")
    args = parser.parse_args(argv)

    if args.command == "demo":
        # Every absolute URL (canonical links, citations, the sitemap) is built from the base
        # URL; the demo's is where it serves. Set before the settings load, so this process
        # (the server) and its children (migrate, the demo loader, the scheduler) agree.
        base_url = os.environ.setdefault("BRIEFDESK_BASE_URL", demo_base_url(args.port))
        if base_url.rstrip("/") != demo_base_url(args.port):
            print(f"briefdesk: links and citations use BRIEFDESK_BASE_URL={base_url}", flush=True)
    default = DEV_SETTINGS if args.command == "demo" else PROD_SETTINGS
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", default)
    error = _settings_error(settings_module)
    if error:
        return _fail(error)
    if args.command == "demo":
        for step in (["migrate", "--noinput"], ["load_demo", "--if-empty"]):
            code = _run_child(step, settings_module)
            if code:
                return _fail(f"'{' '.join(step)}' failed (exit {code})")
        # Scheduled briefs go live in the demo as they will in production: a timer beside
        # the server (a child process, so this one still never starts V8 before serving).
        scheduler = _start_child(["run_scheduler"], settings_module)
        try:
            return _serve("127.0.0.1", args.port, 1, settings_module)
        finally:
            scheduler.terminate()
    if args.command == "serve":
        # System checks first: a weak SECRET_KEY (briefdesk.E001) must stop the server, and
        # neither collectstatic nor the server runs the checks itself.
        for step in (["check", "--fail-level", "ERROR"], ["collectstatic", "--noinput", "-v0"]):
            code = _run_child(step, settings_module)
            if code:
                return _fail(f"'{' '.join(step)}' failed (exit {code})")
        return _serve(args.host, args.port, args.workers, settings_module)
    return 0


if __name__ == "__main__":
    sys.exit(main())
