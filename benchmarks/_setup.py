"""Shared set-up for benchmark scripts: a fresh SQLite database in a temporary data dir with
the demo content, unless BRIEFDESK_DATA_DIR / DATABASE_URL point at an existing one."""

from __future__ import annotations

import os
import tempfile


def django_with_demo() -> None:
    os.environ.setdefault("BRIEFDESK_DATA_DIR", tempfile.mkdtemp(prefix="briefdesk-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefdesk.settings.dev")
    os.environ.setdefault("DEBUG", "false")  # cached templates, no debug overhead
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", "--if-empty", verbosity=0)
