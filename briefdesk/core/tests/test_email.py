"""Email: the development/demo settings deliver moderation notifications with nothing installed
(files under BRIEFDESK_DATA_DIR/mail), production settings read SMTP from the environment
(EMAIL_URL first), a bad combination is refused, and when the mail server fails the person on
the page is told: the password reset form says so whoever asks, a review notification that
could not be sent is a warning for the user who acted; the log gets one line, no traceback.
Sending is tested against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from briefdesk.briefs.models import BriefPage
from briefdesk.core.checks import check_email_security
from briefdesk.core.mail import SEND_FAILED
from briefdesk.settings.ops import email_settings_from_url
from tests.factories import make_author, make_brief

from .ops_servers import ROOT, clean_env, free_port, run_briefdesk, smtp_server

EMAIL_SETTINGS = [
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
]


def settings_of(module: str, data_dir: Path, **env: str) -> dict[str, Any]:
    """The email settings a fresh process gets from `module` with only `env` set."""
    code = (
        "import json, django; from django.conf import settings; "
        f"print(json.dumps({{k: str(getattr(settings, k)) for k in {EMAIL_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=clean_env(
            **{
                "DJANGO_SETTINGS_MODULE": module,
                "BRIEFDESK_DATA_DIR": str(data_dir),
                "DATABASE_URL": f"sqlite:///{data_dir / 'briefdesk.sqlite3'}",
                **env,
            }
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_dev_settings_write_mail_to_files_in_the_data_dir(tmp_path: Path) -> None:
    dev = settings_of("briefdesk.settings.dev", tmp_path)
    assert dev["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert dev["EMAIL_FILE_PATH"] == str(tmp_path.resolve() / "mail")


def test_production_settings_read_smtp_from_the_environment(tmp_path: Path) -> None:
    default = settings_of("briefdesk.settings.production", tmp_path)
    assert default["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert default["EMAIL_TIMEOUT"] == "10"

    configured = settings_of(
        "briefdesk.settings.production", tmp_path, EMAIL_HOST="smtp.example.org", EMAIL_PORT="587"
    )
    assert (configured["EMAIL_HOST"], configured["EMAIL_PORT"]) == ("smtp.example.org", "587")


def submit_form(author: Any, title: str) -> dict[str, str]:
    data = nested_form_data(
        {
            "title": title,
            "slug": "a-brief-for-review",
            "brief_type": "Analysis Brief",
            "date": "2010-12-06",
            "updated": "",
            "summary": "",
            "title_apa": "",
            "brief_authors": inline_formset([{"author": str(author.pk), "id": ""}], min=1),
            "brief_topics": inline_formset([]),
            "related_pins": inline_formset([], max=3),
            "related_exclusions": inline_formset([], max=20),
            "body": streamfield([]),
            "additional_analysis": streamfield([]),
        }
    )
    data["action-submit"] = "1"
    return data


@pytest.mark.django_db
def test_submitting_a_brief_with_dev_mail_settings_writes_the_editors_notification(
    client: Any, site_tree: Any, users: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dev = settings_of("briefdesk.settings.dev", tmp_path)
    mail_dir = Path(dev["EMAIL_FILE_PATH"])
    author_page = make_author(site_tree)
    client.force_login(users.author)

    with (
        override_settings(EMAIL_BACKEND=dev["EMAIL_BACKEND"], EMAIL_FILE_PATH=str(mail_dir)),
        caplog.at_level(logging.WARNING),
    ):
        response = client.post(
            reverse("wagtailadmin_pages:add", args=("briefs", "briefpage", site_tree.briefs.pk)),
            submit_form(author_page, "A brief for review"),
        )

    assert response.status_code == 302
    page = BriefPage.objects.get(title="A brief for review")
    assert page.current_workflow_state is not None
    messages = [path.read_text() for path in sorted(mail_dir.iterdir())]
    to_editor = [m for m in messages if f"To: {users.editor.email}" in m]
    assert len(to_editor) == 1, messages
    assert "A brief for review" in to_editor[0]
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert problems == []


@pytest.mark.parametrize(
    ("tls", "ssl", "errors"),
    [(False, False, []), (True, False, []), (False, True, []), (True, True, ["briefdesk.E002"])],
)
def test_tls_and_ssl_together_are_refused(tls: bool, ssl: bool, errors: list[str]) -> None:
    with override_settings(EMAIL_USE_TLS=tls, EMAIL_USE_SSL=ssl):
        assert [e.id for e in check_email_security()] == errors


# --- EMAIL_URL ---------------------------------------------------------------------------

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://mailer:p%40ss%2Fword@mail.example.org:2525",
            {
                "EMAIL_BACKEND": SMTP,
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 2525,
                "EMAIL_HOST_USER": "mailer",
                "EMAIL_HOST_PASSWORD": "p@ss/word",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtp+tls://mailer:secret@smtp.example.org",
            {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": 587, "EMAIL_USE_TLS": True},
        ),
        (
            "smtp://mailer:secret@smtp.example.org:587?tls=True",
            {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
        ),
        (
            "smtp+ssl://mailer:secret@smtp.example.org",
            {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False},
        ),
        ("smtp+ssl://smtp.example.org:2465", {"EMAIL_PORT": 2465, "EMAIL_USE_SSL": True}),
        (
            "smtp://localhost",
            {"EMAIL_HOST": "localhost", "EMAIL_PORT": 25, "EMAIL_HOST_USER": ""},
        ),
        ("smtp://relay:25?timeout=3", {"EMAIL_TIMEOUT": 3}),
        (
            "smtp://relay?_default_from_email=briefs%40example.org",
            {"DEFAULT_FROM_EMAIL": "briefs@example.org"},
        ),
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "file:///var/lib/briefdesk/mail",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": "/var/lib/briefdesk/mail",
            },
        ),
        ("memory://", {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}),
    ],
)
def test_an_email_url_gives_djangos_email_settings(url: str, expected: dict[str, Any]) -> None:
    settings = email_settings_from_url(url)
    assert {key: settings.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://mail.example.org", "EMAIL_URL has ftp://; use smtp://"),
        ("mail.example.org:25", "EMAIL_URL has mail.example.org://; use smtp://"),
        ("smtps://u:hunter2@mail.example.org", "smtps:// is ambiguous; use smtp+ssl://"),
        ("smtp://u:hunter2@mail.example.org:smtp", "Port could not be cast to integer"),
        ("smtp://u:hunter2@mail.example.org?starttls=1", "unknown parameter 'starttls'"),
        ("smtp://u:hunter2@mail.example.org?timeout=soon", "not a valid email URL"),
        ("file://mail", "file:// needs an absolute directory"),
    ],
)
def test_a_malformed_email_url_is_refused_without_its_password(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        email_settings_from_url(url)
    assert message in str(refused.value)
    assert "hunter2" not in str(refused.value)
    assert "\n" not in str(refused.value)


def test_email_url_wins_over_the_separate_email_variables(tmp_path: Path) -> None:
    configured = settings_of(
        "briefdesk.settings.production",
        tmp_path,
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org",
        EMAIL_HOST="old.example.org",
        EMAIL_PORT="25",
        EMAIL_TIMEOUT="4",
    )
    assert configured["EMAIL_HOST"] == "smtp.example.org"
    assert (configured["EMAIL_PORT"], configured["EMAIL_USE_TLS"]) == ("587", "True")
    assert configured["EMAIL_HOST_PASSWORD"] == "secret"
    # What the URL does not say is still read from its own variable.
    assert configured["EMAIL_TIMEOUT"] == "4"


def test_email_url_chooses_the_backend_in_development_too(tmp_path: Path) -> None:
    dev = settings_of("briefdesk.settings.dev", tmp_path, EMAIL_URL="console://")
    assert dev["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_a_malformed_email_url_stops_a_command_in_one_line(tmp_path: Path) -> None:
    env = clean_env(
        DJANGO_SETTINGS_MODULE="briefdesk.settings.production",
        BRIEFDESK_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        EMAIL_URL="smtp://mailer:hunter2@smtp.example.org:465x",
    )
    result = run_briefdesk("manage", "check", env=env, cwd=tmp_path)

    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert "EMAIL_URL is not a valid email URL" in result.stderr
    assert "hunter2" not in result.stderr


def test_sendtestemail_delivers_through_the_email_url_to_a_real_smtp_server(
    tmp_path: Path,
) -> None:
    with smtp_server() as smtp:
        env = clean_env(
            DJANGO_SETTINGS_MODULE="briefdesk.settings.production",
            BRIEFDESK_DATA_DIR=str(tmp_path),
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}?_default_from_email=briefs%40example.org",
        )
        result = run_briefdesk("manage", "sendtestemail", "you@example.org", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"Test email sent to you@example.org through SMTP 127.0.0.1:{smtp.port}.\n"
    )
    assert [e.rcpt_tos for e in smtp.envelopes] == [["you@example.org"]]
    assert smtp.envelopes[0].mail_from == "briefs@example.org"
    assert smtp.messages[0]["Subject"].startswith("Test email from")


@pytest.mark.parametrize(
    ("url", "refuse", "answer"),
    [
        ("smtp://127.0.0.1:{port}", "RCPT", "recipient refused: 550 5.1.1 mailbox unavailable"),
        # A login over plain SMTP to a server that offers AUTH only after STARTTLS.
        (
            "smtp://mailer:hunter2@127.0.0.1:{port}",
            None,
            "127.0.0.1:{port}: SMTP AUTH extension not supported by server.",
        ),
    ],
)
def test_sendtestemail_says_in_one_line_what_the_mail_server_answered(
    tmp_path: Path, url: str, refuse: str | None, answer: str
) -> None:
    with smtp_server(refuse=refuse) as smtp:
        env = clean_env(
            DJANGO_SETTINGS_MODULE="briefdesk.settings.production",
            BRIEFDESK_DATA_DIR=str(tmp_path),
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            EMAIL_URL=url.format(port=smtp.port),
        )
        result = run_briefdesk("manage", "sendtestemail", "you@example.org", env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr == (
        f"CommandError: the test email was not sent through SMTP 127.0.0.1:{smtp.port}: "
        f"{answer.format(port=smtp.port)}\n"
    )
    assert smtp.envelopes == []


# --- password reset ------------------------------------------------------------------------


def smtp_settings(port: int) -> Any:
    return override_settings(
        EMAIL_BACKEND=SMTP,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
    )


def reset(client: Any, email: str) -> Any:
    return client.post(reverse("wagtailadmin_password_reset"), {"email": email})


def problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Records a reader of the log would call errors: ERROR and above, or a traceback."""
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def mail_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "briefdesk.mail"]


@pytest.mark.django_db
def test_a_password_reset_reaches_a_real_smtp_server(client: Any, users: Any) -> None:
    with smtp_server() as smtp, smtp_settings(smtp.port):
        response = reset(client, users.editor.email)

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_password_reset_done")
    assert [e.rcpt_tos for e in smtp.envelopes] == [[users.editor.email]]
    assert "/admin/password_reset/confirm/" in smtp.messages[0].get_payload()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["an editor", "nobody"])
@pytest.mark.parametrize("server", ["closed port", "refuses the sender"])
def test_a_password_reset_says_when_the_mail_server_fails_whoever_asks(
    client: Any, users: Any, caplog: pytest.LogCaptureFixture, who: str, server: str
) -> None:
    email = users.editor.email if who == "an editor" else "nobody@example.org"
    with contextlib.ExitStack() as stack:
        if server == "closed port":
            port = free_port()
        else:
            port = stack.enter_context(smtp_server(refuse="MAIL")).port
        stack.enter_context(smtp_settings(port))
        stack.enter_context(caplog.at_level(logging.INFO))
        response = reset(client, email)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [SEND_FAILED]
    assert SEND_FAILED.replace("'", "&#x27;") in response.content.decode()
    expected = (
        f"connection refused by 127.0.0.1:{port}"
        if server == "closed port"
        else "sender briefdesk@localhost refused: 550 5.7.1 sender rejected by policy"
    )
    assert mail_warnings(caplog) == [f"password reset email not sent: {expected}"]
    assert problems(caplog) == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["an editor", "nobody"])
def test_a_recipient_the_server_refuses_gets_the_same_page_as_an_unknown_address(
    client: Any, users: Any, caplog: pytest.LogCaptureFixture, who: str
) -> None:
    email = users.editor.email if who == "an editor" else "nobody@example.org"
    with (
        smtp_server(refuse="RCPT") as smtp,
        smtp_settings(smtp.port),
        caplog.at_level(logging.INFO),
    ):
        response = reset(client, email)

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_password_reset_done")
    expected = (
        ["password reset email not sent: recipient refused: 550 5.1.1 mailbox unavailable"]
        if who == "an editor"
        else []
    )
    assert mail_warnings(caplog) == expected
    assert problems(caplog) == []


# --- review notifications ------------------------------------------------------------------


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_submitting_for_review_mails_the_editors_through_a_real_smtp_server(
    client: Any, site_tree: Any, users: Any, caplog: pytest.LogCaptureFixture
) -> None:
    author_page = make_author(site_tree)
    client.force_login(users.author)
    with smtp_server() as smtp, smtp_settings(smtp.port), caplog.at_level(logging.INFO):
        response = client.post(
            reverse("wagtailadmin_pages:add", args=("briefs", "briefpage", site_tree.briefs.pk)),
            submit_form(author_page, "A brief for review"),
        )

    assert response.status_code == 302
    recipients = sorted(r for e in smtp.envelopes for r in e.rcpt_tos)
    assert users.editor.email in recipients and users.admin.email in recipients
    assert not any("could not be sent" in m for m in messages_of(response))
    assert problems(caplog) == []


@pytest.mark.django_db
def test_submitting_while_the_mail_server_is_down_tells_the_author_and_logs_one_line(
    client: Any, site_tree: Any, users: Any, caplog: pytest.LogCaptureFixture
) -> None:
    author_page = make_author(site_tree)
    client.force_login(users.author)
    port = free_port()
    with smtp_settings(port), caplog.at_level(logging.INFO):
        response = client.post(
            reverse("wagtailadmin_pages:add", args=("briefs", "briefpage", site_tree.briefs.pk)),
            submit_form(author_page, "A brief for review"),
        )

    assert response.status_code == 302
    page = BriefPage.objects.get(title="A brief for review")
    assert page.current_workflow_state is not None  # the submission itself went through
    reason = f"connection refused by 127.0.0.1:{port}"
    assert (
        "Submitted. The notification email to editors could not be sent; tell them another "
        f"way. (mail server: {reason})"
    ) in messages_of(response)
    lines = mail_warnings(caplog)
    # One line per notification Wagtail sends on a submission (to the workflow's and to the
    # task's reviewers), each without a traceback.
    assert lines and all(line.endswith(f"recipients: {reason}") for line in lines)
    assert all(line.startswith("submitted notification email not sent to ") for line in lines)
    assert problems(caplog) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "done"), [("approve", "Approved."), ("reject", "Changes requested.")]
)
def test_a_review_decision_the_mail_server_refuses_is_a_warning_for_the_editor(
    client: Any,
    site_tree: Any,
    users: Any,
    caplog: pytest.LogCaptureFixture,
    action: str,
    done: str,
) -> None:
    brief = make_brief(site_tree, title="Ports and Power", publish=False, live=False)
    brief.get_workflow().start(brief, users.author)
    task_state = brief.current_workflow_state.current_task_state
    client.force_login(users.editor)
    url = reverse("wagtailadmin_pages:workflow_action", args=[brief.pk, action, task_state.pk])
    with (
        smtp_server(refuse="RCPT") as smtp,
        smtp_settings(smtp.port),
        caplog.at_level(logging.INFO),
    ):
        response = client.post(url, {"comment": "Checked.", "next": reverse("wagtailadmin_home")})

    assert response.status_code in (200, 302)
    reason = "recipient refused: 550 5.1.1 mailbox unavailable"
    assert (
        f"{done} The notification email to the author could not be sent; tell them another "
        f"way. (mail server: {reason})"
    ) in messages_of(response)
    notification = "approved" if action == "approve" else "rejected"
    assert mail_warnings(caplog) == [
        f"{notification} notification email not sent to 1 of 1 recipients: {reason}"
    ]
    assert problems(caplog) == []
