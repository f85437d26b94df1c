"""What a site shows, as plain data that two processes can compare: each path's status,
content type and body (text) or sha256 (anything else), fetched with Django's test client as
an anonymous reader, and which stock users can log in with their password.

    fingerprint(["/", "/briefs/"], users=["root"])     # in the test process
    briefdesk manage shell -c "from briefdesk.core.tests.site_fingerprint import main; main(...)"
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

TEXT_TYPES = ("text/", "application/xml", "application/json")


def fingerprint(paths: list[str], users: list[str], password: str) -> dict[str, Any]:
    from django.contrib.auth import authenticate
    from django.test import Client

    client = Client()
    pages: dict[str, Any] = {}
    for path in paths:
        response = client.get(path)
        content = response.getvalue()  # streamed or not
        kind = response.get("Content-Type", "")
        body: str = (
            content.decode()
            if kind.startswith(TEXT_TYPES)
            else f"sha256:{hashlib.sha256(content).hexdigest()} ({len(content)} bytes)"
        )
        pages[path] = {
            "status": response.status_code,
            "type": kind,
            "location": response.get("Location", ""),
            "body": body,
        }
    can_log_in = [name for name in users if authenticate(username=name, password=password)]
    return {"pages": pages, "can_log_in": can_log_in}


def main(paths: list[str], users: list[str], password: str) -> None:
    print(json.dumps(fingerprint(paths, users, password)))
