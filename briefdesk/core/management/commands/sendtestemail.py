"""`briefdesk manage sendtestemail ADDRESS`: Django's command, saying how it went in one line.

Django's own prints nothing when the mail server takes the message and a traceback when it
does not; the operator checking EMAIL_URL wants the server's answer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.sendtestemail import Command as DjangoCommand

from briefdesk.core.mail import MAIL_ERRORS, describe_mail_error


def mail_route() -> str:
    """Where mail goes, without the password: "SMTP mail.example.org:587 (STARTTLS)"."""
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend == "smtp":
        security = " (STARTTLS)" if settings.EMAIL_USE_TLS else ""
        security = " (SSL)" if settings.EMAIL_USE_SSL else security
        return f"SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}{security}"
    if backend == "filebased":
        return f"files in {settings.EMAIL_FILE_PATH}"
    return f"the {backend} backend"


class Command(DjangoCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            super().handle(*args, **options)
        except MAIL_ERRORS as exc:
            raise CommandError(
                f"the test email was not sent through {mail_route()}: {describe_mail_error(exc)}"
            ) from None
        recipients = list(options["email"])
        recipients += ["the managers"] if options["managers"] else []
        recipients += ["the admins"] if options["admins"] else []
        self.stdout.write(f"Test email sent to {', '.join(recipients)} through {mail_route()}.")
