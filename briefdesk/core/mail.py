"""Email that says when it fails: to the person who asked, and in one log line.

Django and Wagtail both catch a failed send and log a traceback, and the person on the page
is told "done". Here:

- `mail_server_problem()` opens a connection to the configured SMTP server (login and
  STARTTLS included) and asks it to take mail from DEFAULT_FROM_EMAIL: None when it would,
  else one line saying why not.
- `PasswordResetForm` (WAGTAILADMIN_USER_PASSWORD_RESET_FORM) asks that question before it
  looks up any user, so the form's error ("The email could not be sent …") is the same for
  every address and reveals none. A message refused later (one recipient) is one log line,
  and the page says what it says for an unknown address.
- Wagtail's review notifications (submitted, approved, changes requested) are replaced by
  subclasses (`use_reporting_notifiers()`, called from wagtail_hooks) that turn a failed send
  into one log line and a warning for the admin user who acted ("Submitted. The notification
  email to editors could not be sent; tell them another way. (mail server: …)").
  `MailFailureMessagesMiddleware` (settings/ops.py) lets them find that user's request.

Neither the log nor the page shows the mail password; the page shows the server's reply.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.http import HttpRequest, HttpResponse
from wagtail.admin import mail as wagtail_mail
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm

logger = logging.getLogger("briefdesk.mail")

SEND_FAILED = (
    "The email could not be sent: the mail server did not accept it. "
    "Try again later or contact the site's administrator."
)
# What a failed send raises: smtplib's errors and ssl's are OSErrors; the file backend says
# ImproperlyConfigured when its directory is not writable.
MAIL_ERRORS = (OSError, ImproperlyConfigured)


def describe_mail_error(exc: BaseException) -> str:
    """One line for an operator or an editor: what the mail server said or why it could not
    be reached. Never the password; the host and port are named."""
    where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (0, b""))
        return f"recipient refused: {code} {_text(reply)}".strip()
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}".strip()
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}".strip()
    if isinstance(exc, smtplib.SMTPNotSupportedError):  # AUTH or STARTTLS not offered
        return f"{where}: {_text(str(exc))}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where}"
    if isinstance(exc, TimeoutError):
        return f"no answer from {where} within {settings.EMAIL_TIMEOUT} s"
    if isinstance(exc, socket.gaierror):
        return f"unknown mail host {settings.EMAIL_HOST}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS with {where} failed: {exc.reason or exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{where}: {exc.strerror}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def mail_server_problem() -> str | None:
    """Why the configured mail server would not take a message now, or None.

    SMTP: connects (with the configured TLS, login and timeout), sends MAIL FROM for
    DEFAULT_FROM_EMAIL and RSET, and quits: no message is sent and no recipient named. Other
    backends (console, file, memory) have no server to ask: None, unless they cannot start
    (the file backend's directory is not writable).
    """
    try:
        connection = get_connection()
        if not isinstance(connection, SMTPBackend):
            return None
        connection.open()
        try:
            smtp = connection.connection
            assert smtp is not None
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.mail(settings.DEFAULT_FROM_EMAIL)
            if code >= 400:
                return f"sender {settings.DEFAULT_FROM_EMAIL} refused: {code} {_text(reply)}"
            smtp.rset()
        finally:
            with contextlib.suppress(*MAIL_ERRORS):
                connection.close()
    except MAIL_ERRORS as exc:
        return describe_mail_error(exc)
    return None


@contextlib.contextmanager
def logged_mail_failures(logger_name: str) -> Iterator[list[BaseException]]:
    """Collects the exceptions that `logger_name` logs with a traceback in this thread
    (Django's and Wagtail's "Failed to send … email"), instead of printing them.

    Both libraries catch a failed send and log it; the caller turns the list into one line
    and a message for the user.
    """
    failures: list[BaseException] = []
    thread = threading.get_ident()

    def collect(record: logging.LogRecord) -> bool:
        if thread != threading.get_ident() or not record.exc_info or not record.exc_info[1]:
            return True
        failures.append(record.exc_info[1])
        return False

    target = logging.getLogger(logger_name)
    target.addFilter(collect)
    try:
        yield failures
    finally:
        target.removeFilter(collect)


# --- password reset ------------------------------------------------------------------------


class PasswordResetForm(WagtailPasswordResetForm):
    """Wagtail's "Forgotten password?" form that says when the mail server fails.

    The server is asked before any user is looked up, so the answer is the same whether the
    address has an account or not.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self._errors:
            problem = mail_server_problem()
            if problem is not None:
                logger.warning("password reset email not sent: %s", problem)
                raise forms.ValidationError(SEND_FAILED, code="mail_failed")
        return cleaned

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        with logged_mail_failures("django.contrib.auth") as failures:
            super().send_mail(*args, **kwargs)
        for exc in failures:
            logger.warning("password reset email not sent: %s", describe_mail_error(exc))


# --- review notifications ------------------------------------------------------------------

_current_request: ContextVar[HttpRequest | None] = ContextVar("mail_request", default=None)


class MailFailureMessagesMiddleware:
    """Makes the current request known to the notifiers below, which run inside Wagtail's
    signals and get no request, so a failed notification reaches the user as a message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def warn_current_user(text: str) -> None:
    """Shows `text` as a warning on the current request's next page (once per request)."""
    request = _current_request.get()
    if request is None:
        return
    shown: set[str] = request.__dict__.setdefault("_briefdesk_mail_warnings", set())
    if text not in shown:
        shown.add(text)
        messages.warning(request, text, fail_silently=True)


class ReportingEmailMixin:
    """For Wagtail's email notifiers: a failed send is one log line and a warning for the
    user who acted, instead of a traceback (or, for an SMTP error while connecting, a 500)."""

    notification: str
    done: str = "Done."
    recipients_named: str = "the author"

    def send_emails(
        self, template_set: dict[str, str], context: dict[str, Any], recipients: Any, **kwargs: Any
    ) -> bool:
        total = len(recipients)
        with logged_mail_failures(wagtail_mail.logger.name) as failures:
            try:
                sent_all = super().send_emails(  # type: ignore[misc]
                    template_set, context, recipients, **kwargs
                )
                unreached = False
            except MAIL_ERRORS as exc:  # Wagtail lets SMTP errors from open() through
                failures.append(exc)
                sent_all, unreached = False, True
        if not failures:
            return bool(sent_all)
        # Wagtail logs one failure per recipient, or one for a connection that never opened.
        unreached = unreached or (
            len(failures) == 1 and isinstance(failures[0], ConnectionError | TimeoutError)
        )
        failed = total if unreached else min(len(failures), total)
        reason = describe_mail_error(failures[0])
        logger.warning(
            "%s notification email not sent to %d of %d recipients: %s",
            self.notification,
            failed,
            total,
            reason,
        )
        warn_current_user(
            f"{self.done} The notification email to {self.recipients_named} could not be "
            f"sent; tell them another way. (mail server: {reason})"
        )
        return False


class TaskSubmissionNotifier(
    ReportingEmailMixin, wagtail_mail.GroupApprovalTaskStateSubmissionEmailNotifier
):
    done, recipients_named = "Submitted.", "editors"


class WorkflowSubmissionNotifier(
    ReportingEmailMixin, wagtail_mail.WorkflowStateSubmissionEmailNotifier
):
    done, recipients_named = "Submitted.", "editors"


class WorkflowApprovalNotifier(
    ReportingEmailMixin, wagtail_mail.WorkflowStateApprovalEmailNotifier
):
    done = "Approved."


class WorkflowRejectionNotifier(
    ReportingEmailMixin, wagtail_mail.WorkflowStateRejectionEmailNotifier
):
    done = "Changes requested."


# Kept here: signals hold their receivers weakly.
_notifiers = {
    "group_approval_task_submitted_email_notification": TaskSubmissionNotifier(),
    "workflow_state_submitted_email_notification": WorkflowSubmissionNotifier(),
    "workflow_state_rejected_email_notification": WorkflowRejectionNotifier(),
    "workflow_state_approved_email_notification": WorkflowApprovalNotifier(),
}


def use_reporting_notifiers() -> None:
    """Puts the notifiers above in place of Wagtail's (wagtail.admin.signal_handlers), under
    the same dispatch ids. Idempotent."""
    from wagtail.models import TaskState, WorkflowState
    from wagtail.signals import (
        task_submitted,
        workflow_approved,
        workflow_rejected,
        workflow_submitted,
    )

    for signal, sender, uid in (
        (task_submitted, TaskState, "group_approval_task_submitted_email_notification"),
        (workflow_submitted, WorkflowState, "workflow_state_submitted_email_notification"),
        (workflow_rejected, WorkflowState, "workflow_state_rejected_email_notification"),
        (workflow_approved, WorkflowState, "workflow_state_approved_email_notification"),
    ):
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(_notifiers[uid], sender=sender, dispatch_uid=uid)
