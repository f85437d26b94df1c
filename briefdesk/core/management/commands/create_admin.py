"""`briefdesk create-admin USERNAME --email EMAIL [--password-file FILE]`: the first
administrator (a superuser), with or without a terminal.

The password comes from --password-file (its first line), else the environment variable
BRIEFDESK_ADMIN_PASSWORD, else a prompt when stdin is a terminal; it is checked by Django's
password validators and never printed. An existing user is left as it is (exit 0), so the
command is safe to repeat in `briefdesk init`.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

PASSWORD_ENV = "BRIEFDESK_ADMIN_PASSWORD"
NO_PASSWORD = f"no password: pass --password-file, set {PASSWORD_ENV}, or run in a terminal"


def _read_password_file(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read the password file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"the password file {path} is not UTF-8 text") from exc
    password = text.splitlines()[0] if text.splitlines() else ""
    if not password:
        raise CommandError(f"the password file {path} is empty")
    return password


def _prompt_password() -> str:
    password = getpass.getpass("Password: ")
    if not password:
        raise CommandError("no password given")
    if getpass.getpass("Password (again): ") != password:
        raise CommandError("the two passwords differ")
    return password


class Command(BaseCommand):
    help = (
        "Create the first administrator (a superuser). Password from --password-file, "
        f"else ${PASSWORD_ENV}, else a prompt in a terminal. An existing user is unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-file", help="a file whose first line is the password (e.g. 0600)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password
        from django.core.validators import validate_email

        User = get_user_model()
        username: str = options["username"]
        email: str = options["email"].strip()
        try:
            User.username_validator(username)
        except ValidationError as exc:
            raise CommandError(f"invalid username {username!r}: {' '.join(exc.messages)}") from exc
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"invalid email address {email!r}") from exc

        if User._default_manager.filter(username=username).exists():
            self.stdout.write(f"user {username} exists; unchanged")
            return

        if options["password_file"]:
            password = _read_password_file(options["password_file"])
        elif os.environ.get(PASSWORD_ENV):
            password = os.environ[PASSWORD_ENV]
        elif sys.stdin is not None and sys.stdin.isatty():
            password = _prompt_password()
        else:
            raise CommandError(NO_PASSWORD)

        try:
            validate_password(password, user=User(username=username, email=email))
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"password refused; user {username} not created") from exc

        User._default_manager.create_superuser(username=username, email=email, password=password)
        self.stdout.write(f"Created the administrator {username} ({email}).")
