"""Email: the development/demo settings deliver moderation notifications with nothing installed
(files under BRIEFDESK_DATA_DIR/mail), production settings read SMTP from the environment, and a
bad combination is refused by a system check."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from briefdesk.briefs.models import BriefPage
from briefdesk.core.checks import check_email_security
from tests.factories import make_author

ROOT = Path(__file__).resolve().parents[3]
EMAIL_SETTINGS = ["EMAIL_BACKEND", "EMAIL_FILE_PATH", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_TIMEOUT"]


def settings_of(module: str, data_dir: Path, **env: str) -> dict[str, Any]:
    """The email settings a fresh process gets from `module` with only `env` set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "SECRET_KEY"))}
    code = (
        "import json, django; from django.conf import settings; "
        f"print(json.dumps({{k: str(getattr(settings, k)) for k in {EMAIL_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": module,
            "BRIEFDESK_DATA_DIR": str(data_dir),
            "SECRET_KEY": "x" * 60 + "abcdefgh",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
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
