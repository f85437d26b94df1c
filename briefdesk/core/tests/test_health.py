"""GET /healthz: 200 with every check ok, 503 naming the failed check (never a 500 or a
traceback, never a secret), no caching, GET and HEAD only, and plain HTTP even where the
production settings redirect everything else to HTTPS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from .ops_servers import briefdesk_server


def health(client: Client) -> tuple[int, dict[str, Any], Any]:
    response = client.get(reverse("healthz"))
    return response.status_code, json.loads(response.content), response


@pytest.mark.django_db
def test_a_site_that_can_serve_answers_200_with_every_check_ok() -> None:
    status, body, response = health(Client())

    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {
            "database": {"ok": True, "error": ""},
            "storage": {"ok": True, "error": ""},
            "citeproc": {"ok": True, "error": ""},
        },
    }
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/json"
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_head_is_answered_and_other_methods_are_405() -> None:
    client = Client()
    assert client.head(reverse("healthz")).status_code == 200
    for method in (client.post, client.put, client.delete):
        response = method(reverse("healthz"))
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
def test_storage_fails_when_media_root_is_missing_and_nothing_is_left_in_private_root(
    tmp_path: Path,
) -> None:
    private = tmp_path / "private"
    private.mkdir()
    with override_settings(MEDIA_ROOT=tmp_path / "gone", BRIEFDESK_PRIVATE_ROOT=private):
        status, body, _ = health(Client())

    assert status == 503
    assert body["status"] == "error"
    assert body["checks"]["storage"] == {
        "ok": False,
        "error": f"MEDIA_ROOT is not a directory: {tmp_path / 'gone'}",
    }
    assert body["checks"]["database"]["ok"] and body["checks"]["citeproc"]["ok"]
    # The probe file in the root that worked was deleted.
    assert list(private.iterdir()) == []


@pytest.mark.django_db
def test_storage_fails_when_the_private_root_cannot_take_a_file(tmp_path: Path) -> None:
    # A file where the directory should be: unwritable even for root, who runs this suite.
    blocked = tmp_path / "private"
    blocked.write_text("not a directory")
    media = tmp_path / "media"
    media.mkdir()
    with override_settings(MEDIA_ROOT=media, BRIEFDESK_PRIVATE_ROOT=blocked / "pdfs"):
        status, body, _ = health(Client())

    assert status == 503
    assert body["checks"]["storage"]["error"] == (
        f"BRIEFDESK_PRIVATE_ROOT is not a directory: {blocked / 'pdfs'}"
    )


@pytest.mark.django_db
def test_citeproc_fails_when_its_file_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "node_modules/citeproc/citeproc_commonjs.js"
    with override_settings(BRIEFDESK_CITEPROC_JS=missing):
        status, body, _ = health(Client())

    assert status == 503
    assert body["checks"]["citeproc"] == {
        "ok": False,
        "error": f"BRIEFDESK_CITEPROC_JS cannot be read: {missing} (No such file or directory)",
    }


def test_a_server_whose_database_is_down_answers_503_over_plain_http_without_secrets(
    tmp_path: Path,
) -> None:
    """A real server (granian, production settings, SECURE_SSL_REDIRECT on) pointed at a
    PostgreSQL port where nothing listens: the health check says so with a 503, as a load
    balancer probing by plain HTTP sees it, and the answer holds no part of DATABASE_URL."""
    database_url = "postgres://briefdesk:hunter2-secret@127.0.0.1:1/briefdesk_live"
    with briefdesk_server(tmp_path, DATABASE_URL=database_url) as server:
        status, headers, body = server.get("/healthz")
        redirect_status, redirect_headers, _ = server.get("/briefs/")
        stderr = server.stderr()

    assert status == 503, body
    answer = json.loads(body)
    assert answer["status"] == "error"
    assert answer["checks"]["database"] == {
        "ok": False,
        "error": "the database did not answer (OperationalError)",
    }
    assert answer["checks"]["storage"]["ok"] and answer["checks"]["citeproc"]["ok"]
    assert headers["Cache-Control"] == "no-store"
    for secret in ("hunter2", "briefdesk_live", "127.0.0.1:1", "5432", "postgres"):
        assert secret not in body.decode()
    # Every other path still goes to HTTPS.
    assert redirect_status == 301
    assert redirect_headers["Location"] == server.url.replace("http:", "https:") + "/briefs/"
    # The operator finds the reason in the log, in one line, and no traceback.
    assert "WARNING" in stderr and "briefdesk.health: database check failed: " in stderr
    assert "Traceback" not in stderr
    assert "hunter2" not in stderr
