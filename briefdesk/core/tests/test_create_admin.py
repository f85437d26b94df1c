"""`briefdesk manage create_admin USERNAME --email EMAIL [--password-file FILE]`: the first
administrator, made without a terminal from a password file or BRIEFDESK_ADMIN_PASSWORD,
checked by Django's password validators, never printed; with no terminal and no password it
says so and fails instead of skipping silently."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

BRIEFDESK = Path(sys.executable).with_name("briefdesk")
GOOD = "tidal-Quorum-58-lantern"


def create_admin(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_admin", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def no_password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFDESK_ADMIN_PASSWORD", raising=False)


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "admin-password"
    path.write_text(GOOD + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


# --- in this process ---------------------------------------------------------------------


def test_a_password_file_makes_a_superuser_who_can_log_in(
    no_password_env: None, password_file: Path
) -> None:
    out, err = create_admin(
        "root", "--email", "root@example.org", "--password-file", str(password_file)
    )

    user = get_user_model().objects.get(username="root")
    assert (user.is_superuser, user.is_staff, user.email) == (True, True, "root@example.org")
    assert authenticate(username="root", password=GOOD) == user
    assert out == "Created the administrator root (root@example.org).\n"
    assert GOOD not in out + err


def test_the_environment_gives_the_password_when_there_is_no_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRIEFDESK_ADMIN_PASSWORD", GOOD)

    create_admin("root", "--email", "root@example.org")

    assert authenticate(username="root", password=GOOD) is not None


def test_the_password_file_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, password_file: Path
) -> None:
    monkeypatch.setenv("BRIEFDESK_ADMIN_PASSWORD", "another-Quorum-77-lantern")

    create_admin("root", "--email", "root@example.org", "--password-file", str(password_file))

    assert authenticate(username="root", password=GOOD) is not None


def test_an_existing_user_is_left_unchanged_and_it_succeeds(
    no_password_env: None, password_file: Path
) -> None:
    User = get_user_model()
    User.objects.create_user("root", "old@example.org", "old-Quorum-12-lantern")

    out, _ = create_admin(
        "root", "--email", "new@example.org", "--password-file", str(password_file)
    )

    assert out == "user root exists; unchanged\n"
    user = User.objects.get(username="root")
    assert (user.email, user.is_superuser) == ("old@example.org", False)
    assert user.check_password("old-Quorum-12-lantern")


def test_a_weak_password_gives_one_line_per_problem_and_creates_nobody(
    no_password_env: None, tmp_path: Path
) -> None:
    weak = tmp_path / "weak"
    weak.write_text("1234\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^password refused; user root not created$"):
        call_command(
            "create_admin",
            "root",
            "--email",
            "r@example.org",
            "--password-file",
            str(weak),
            stdout=io.StringIO(),
            stderr=err,
        )

    assert err.getvalue().splitlines() == [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert not get_user_model().objects.filter(username="root").exists()


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["root", "--email", "not-an-address"], "invalid email address 'not-an-address'"),
        (["root", "--email", ""], "invalid email address ''"),
        (["bad name!", "--email", "r@example.org"], "invalid username 'bad name!': "),
        (
            ["root", "--email", "r@example.org", "--password-file", "/nonexistent/pw"],
            "cannot read the password file /nonexistent/pw: No such file or directory",
        ),
    ],
)
def test_bad_input_stops_it_with_a_one_line_reason(
    no_password_env: None, args: list[str], reason: str
) -> None:
    with pytest.raises(CommandError) as raised:
        create_admin(*args)

    assert str(raised.value).startswith(reason)
    assert "\n" not in str(raised.value)
    assert not get_user_model().objects.exists()


def test_an_empty_password_file_is_refused(no_password_env: None, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")

    with pytest.raises(CommandError, match=f"^the password file {empty} is empty$"):
        create_admin("root", "--email", "r@example.org", "--password-file", str(empty))


def test_djangos_createsuperuser_noinput_reads_the_django_superuser_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/operating.md mentions this alternative; it must stay true."""
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", GOOD)

    call_command("createsuperuser", "--noinput", stdout=io.StringIO())

    assert authenticate(username="root", password=GOOD).is_superuser  # type: ignore[union-attr]


# --- the installed command, without a terminal ----------------------------------------------


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of a `briefdesk` run on a migrated SQLite database of its own."""
    data = tmp_path_factory.mktemp("create-admin-data")
    (data / "briefdesk.env").write_text("")  # never a machine's /etc/briefdesk/briefdesk.env
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFDESK_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="briefdesk.settings.test",
        BRIEFDESK_DATA_DIR=str(data),
        BRIEFDESK_ENV_FILE=str(data / "briefdesk.env"),
        DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}",
    )
    done = run(["manage", "migrate", "--noinput"], env)
    assert done.returncode == 0, done.stderr
    yield env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BRIEFDESK), *args],
        env=env,
        stdin=subprocess.DEVNULL,  # not a terminal
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_without_a_terminal_or_a_password_it_fails_with_one_line_and_creates_nobody(
    migrated: dict[str, str],
) -> None:
    done = run(["manage", "create_admin", "root", "--email", "root@example.org"], migrated)

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "CommandError: no password: pass --password-file, set BRIEFDESK_ADMIN_PASSWORD, "
        "or run in a terminal"
    ]
    again = run(["manage", "create_admin", "root", "--email", "root@example.org"], migrated)
    assert "exists" not in again.stdout


def test_without_a_terminal_the_environment_password_creates_the_admin_and_is_never_printed(
    migrated: dict[str, str],
) -> None:
    env = {**migrated, "BRIEFDESK_ADMIN_PASSWORD": GOOD}

    done = run(["manage", "create_admin", "chief", "--email", "chief@example.org"], env)
    again = run(["manage", "create_admin", "chief", "--email", "chief@example.org"], env)

    assert (done.returncode, done.stdout) == (
        0,
        "Created the administrator chief (chief@example.org).\n",
    )
    assert (again.returncode, again.stdout) == (0, "user chief exists; unchanged\n")
    assert GOOD not in done.stdout + done.stderr + again.stdout + again.stderr
