"""`briefdesk worker` (TASKS_BACKEND=database, django-tasks-db) killed with SIGKILL in the
middle of a job: captures of three sources from a local web (briefdesk.archive.testweb),
one of whose pages answers slowly, so the worker is killed while it waits for that page.
After a restart with --reclaim-after the interrupted capture is run again and finishes; no
job is lost, none is run twice to a second snapshot, and every job ends SUCCESSFUL.

The worker runs with the test settings (briefdesk.settings.test), the only ones that let the
fetcher reach 127.0.0.1, on a copy of the session's production database.
"""

from __future__ import annotations

import json
import time

from briefdesk.archive.testweb import LocalWeb, Route

from .site import REPO, Site, run, wait_for

PAGE = (
    b"<!doctype html><html><head><title>Torkham crossing closed</title></head>"
    b"<body><p>Islamabad closed the Torkham crossing for eleven days.</p></body></html>"
)
JOBS = "django_tasks_database_dbtaskresult"
CAPTURE = "briefdesk.sources.tasks.capture_source_task"
ENQUEUE = """
from briefdesk.core.tasks import enqueue_once
from briefdesk.sources.models import Source
from briefdesk.sources.tasks import capture_source_task
for name, url in {urls!r}:
    source = Source(kind="web_page", title=f"Worker test page {{name}}", url=url)
    source.save()
    enqueue_once(capture_source_task, source.pk)
"""


def worker_env(site: Site) -> dict[str, str]:
    env = {k: v for k, v in site.env.items() if k not in {"SECRET_KEY"}}
    env.update(
        DJANGO_SETTINGS_MODULE="briefdesk.settings.test",
        BRIEFDESK_TEST_TASKS_BACKEND="database",
        PYTHONPATH=str(REPO),
    )
    return env


def jobs(site: Site) -> dict[int, tuple[str, int, dict[str, object] | None]]:
    """Per source id: the capture job's status, how many workers claimed it, its result."""
    rows = site.query(
        f"SELECT args_kwargs, status, worker_ids, return_value FROM {JOBS} WHERE task_path = ?",
        CAPTURE,
    )
    found = {}
    for args, status, workers, value in rows:
        [source_id] = json.loads(args)["args"]
        found[source_id] = (status, len(json.loads(workers)), json.loads(value or "null"))
    return found


def statuses(site: Site) -> set[str]:
    """The statuses of every job (the captures, and what saving a source queued beside them:
    Wagtail's reference index, search and cache purge)."""
    return {status for (status,) in site.query(f"SELECT status FROM {JOBS}")}


def snapshots(site: Site) -> dict[int, int]:
    rows = site.query("SELECT source_id, count(*) FROM sources_snapshot GROUP BY source_id")
    return dict(rows)


def test_a_worker_killed_mid_capture_is_replaced_and_every_capture_ends_once(
    site: Site,
) -> None:
    env = worker_env(site)
    with LocalWeb() as web:
        urls = [
            ("first", web.route("news", "/first", Route.html(PAGE.decode()))),
            ("slow", web.route("news", "/slow", Route(body=PAGE, delay=30))),
            ("last", web.route("news", "/last", Route.html(PAGE.decode()))),
        ]
        run(["manage", "shell", "--no-imports", "-c", ENQUEUE.format(urls=urls)], env)
        ids = {
            title.rsplit(" ", 1)[1]: pk
            for pk, title in site.query(
                "SELECT id, title FROM sources_source WHERE title LIKE 'Worker test page %'"
            )
        }
        assert len(jobs(site)) == 3

        worker = site.start(["worker", "--interval", "0.1"], "worker-1", env)
        # The worker has captured the first page and is waiting for the slow one: kill it.
        wait_for(lambda: web.requests_to("news", "/slow"), 60, "the slow page's request")
        worker.kill()
        killed_at = time.monotonic()

        assert site.integrity() == "ok"
        status = jobs(site)
        assert status[ids["first"]][0] == "SUCCESSFUL"
        assert status[ids["slow"]][0] == "RUNNING"  # abandoned: its worker is gone
        assert status[ids["last"]][0] == "READY"
        assert snapshots(site) == {ids["first"]: 1}

        # The page answers at once now, with the same content.
        web.route("news", "/slow", Route(body=PAGE))
        time.sleep(max(0.0, 1.0 - (time.monotonic() - killed_at)))
        replacement = site.start(
            ["worker", "--interval", "0.1", "--reclaim-after", "1"], "worker-2", env
        )
        wait_for(
            lambda: statuses(site) == {"SUCCESSFUL"},
            90,
            "every job to succeed after the restart",
        )
        replacement.kill()

        status = jobs(site)
        assert status[ids["first"]][:2] == ("SUCCESSFUL", 1)
        assert status[ids["slow"]][:2] == ("SUCCESSFUL", 2)  # claimed again after the kill
        assert status[ids["last"]][:2] == ("SUCCESSFUL", 1)
        assert all(value["state"] == "captured" for _, _, value in status.values())
        assert snapshots(site) == dict.fromkeys(ids.values(), 1)
        assert [len(web.requests_to("news", f"/{name}")) for name in ("first", "slow", "last")] == [
            1,
            2,
            1,
        ]
        assert "requeued" in replacement.output()
        assert site.integrity() == "ok"
