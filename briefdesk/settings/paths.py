"""Where briefdesk's code and data are, and the one env file every entry point reads first.

Importing this module loads the env file (`BRIEFDESK_ENV_FILE`, default
`/etc/briefdesk/briefdesk.env` when it exists) into the environment, so the server, `manage`,
cron jobs and the WSGI module all see the same configuration, whatever their working directory.
Variables already in the environment win over the file. env.py imports this module, so any
settings module that reads the environment loads the file before its first read.

Nothing here touches the filesystem beyond reading: the data directory is created by
`briefdesk init` and `briefdesk demo` (and checked by `briefdesk check`), never at import, so a
read-only or missing data directory is reported in one line instead of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The checkout root when running from source (node_modules lives here); for an installed
# package this is site-packages, which has no pyproject.toml.
PROJECT_DIR = PACKAGE_DIR.parent
IS_CHECKOUT = (PROJECT_DIR / "pyproject.toml").is_file()

DEFAULT_ENV_FILE = Path("/etc/briefdesk/briefdesk.env")
INSTALLED_DATA_DIR = Path("/var/lib/briefdesk")


def load_env_file() -> Path | None:
    """Load the env file into os.environ (existing variables win) and return its path.

    `BRIEFDESK_ENV_FILE` names the file; unset means the default, read only if it exists; set
    but empty means no file. A named file that is missing or unreadable is an error: a typo in
    a unit file must not silently start the site on defaults. The syntax is KEY=value lines,
    as systemd's EnvironmentFile reads them; `$` is taken literally (no interpolation).
    """
    named = os.environ.get("BRIEFDESK_ENV_FILE")
    if named == "":
        return None
    path = Path(named) if named is not None else DEFAULT_ENV_FILE
    if named is None and not path.exists():
        return None
    if not path.is_file():
        raise ImproperlyConfigured(f"BRIEFDESK_ENV_FILE={path} does not exist or is not a file")
    try:
        with path.open(encoding="utf-8") as stream:
            load_dotenv(stream=stream, override=False, interpolate=False)
    except OSError as exc:
        raise ImproperlyConfigured(f"cannot read env file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ImproperlyConfigured(f"env file {path} is not UTF-8 text") from None
    return path


def data_dir(value: str | None, checkout: Path | None) -> Path:
    """The data directory for a BRIEFDESK_DATA_DIR value (None or empty: the default), when
    running from the checkout at `checkout` (None: an installed package).

    Default: the checkout's `var/`, or /var/lib/briefdesk for an installed package. A relative
    value resolves against the checkout root, never the working directory (a cron job runs
    from /); outside a checkout there is nothing fixed to resolve it against: an error.
    """
    if not value:
        return checkout / "var" if checkout else INSTALLED_DATA_DIR
    path = Path(value).expanduser()
    if path.is_absolute():
        return Path(os.path.normpath(path))
    if checkout is None:
        raise ImproperlyConfigured(
            f"BRIEFDESK_DATA_DIR={value} is relative and briefdesk is not running from a "
            "checkout; give an absolute path"
        )
    return Path(os.path.normpath(checkout / path))


ENV_FILE = load_env_file()
DATA_DIR = data_dir(os.environ.get("BRIEFDESK_DATA_DIR"), PROJECT_DIR if IS_CHECKOUT else None)
