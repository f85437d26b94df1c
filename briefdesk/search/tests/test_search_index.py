"""The search index stays true to the database: what editors publish, unpublish, move, make
private or rename reaches the search page through the change log, a lagging index never
shows what a reader may not open, and the index's files and lock behave across processes."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from wagtail.models import PageViewRestriction

from briefdesk.briefs.models import BriefPage
from briefdesk.search import sync
from briefdesk.search.engine import SCHEMA_VERSION, Synced
from briefdesk.search.models import SearchChange
from tests.factories import SourceFactory, cite, make_author, make_brief, make_site_tree, make_topic

pytestmark = pytest.mark.django_db


def found(client: Any, q: str, **params: str) -> str:
    response = client.get(reverse("search"), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def synced() -> Synced:
    """The index's sync state: present once the index has been built."""
    state = sync.store().synced()
    assert state is not None
    return state


@pytest.fixture
def tree() -> Any:
    return make_site_tree()


@pytest.fixture
def author(tree: Any) -> Any:
    return make_author(tree, "Idris", "Qamaruddin")


def test_a_brief_published_after_the_index_was_built_is_found_at_the_next_search(
    client: Any, tree: Any, author: Any
) -> None:
    author = make_author(tree, "Clara", "Whitcombe")
    assert "Quokka" not in found(client, "quokka")  # builds the index

    brief = make_brief(tree, title="Quokka Diplomacy", authors=[author])

    html = found(client, "quokka")
    assert brief.url in html
    assert synced().watermark == SearchChange.objects.latest("id").id


def test_an_unpublished_brief_leaves_the_results_and_the_facet_counts(
    client: Any, tree: Any, author: Any
) -> None:
    author = make_author(tree)
    topic = make_topic(tree, "Pakistan")
    brief = make_brief(tree, title="Quokka Diplomacy", authors=[author], topics=[topic])
    assert brief.url in found(client, "quokka")

    brief.unpublish()

    html = found(client, "quokka")
    assert brief.url not in html and "0 results" in html
    assert "?q=quokka&amp;topic=pakistan" not in html


def test_a_section_made_private_takes_its_briefs_out_and_public_again_brings_them_back(
    client: Any, tree: Any, author: Any
) -> None:
    brief = make_brief(tree, title="Quokka Diplomacy", authors=[author])
    assert brief.url in found(client, "quokka")

    restriction = PageViewRestriction.objects.create(page=tree.briefs, restriction_type="login")
    assert brief.url not in found(client, "quokka")

    restriction.delete()
    assert brief.url in found(client, "quokka")


def test_a_source_is_found_while_a_public_brief_cites_it_and_not_after_that_brief_is_unpublished(
    client: Any, tree: Any, author: Any
) -> None:
    source = SourceFactory(title="Wombat Memorandum")
    assert "Wombat Memorandum" not in found(client, "wombat")
    brief = make_brief(
        tree,
        title="A brief",
        authors=[author],
        body=[("paragraph", f"<p>Claim {cite(source)}.</p>")],
    )
    assert source.get_absolute_url() in found(client, "wombat")

    brief.unpublish()

    assert source.get_absolute_url() not in found(client, "wombat")


def test_an_expert_renamed_is_found_with_their_briefs_by_the_new_name(
    client: Any, tree: Any, author: Any
) -> None:
    author = make_author(tree, "Clara", "Whitcombe")
    brief = make_brief(tree, title="Quokka Diplomacy", authors=[author])
    assert brief.url not in found(client, "pemberton")

    author.family_name = "Pemberton"
    author.title = "Clara Pemberton"
    author.save_revision().publish()

    html = found(client, "pemberton")
    assert author.url in html and brief.url in html


def test_changes_are_applied_when_the_transaction_commits_not_before(
    tree: Any, author: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sync.rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        brief = make_brief(tree, title="Quokka Diplomacy", authors=[author])
        assert sync.store().count() == 1  # the author only: the brief is not committed yet

    assert sync.store().count() == 2
    assert sync.pending(synced()) == []
    assert brief.pk in {
        h.pk for h in sync.store().search(sync_request(["quokka"])).hits if h.kind == "brief"
    }


def sync_request(words: list[str]) -> Any:
    from briefdesk.search.engine import Request

    return Request(words=words)


def test_a_lagging_index_never_shows_a_brief_a_reader_may_not_open(
    client: Any, tree: Any, author: Any
) -> None:
    brief = make_brief(tree, title="Quokka Diplomacy", authors=[author])
    assert brief.url in found(client, "quokka")

    # Unpublished behind the change log's back: the index still holds the brief.
    BriefPage.objects.filter(pk=brief.pk).update(live=False)
    assert sync.store().search(sync_request(["quokka"])).total == 1

    assert brief.url not in found(client, "quokka")


def test_a_change_that_committed_after_a_later_numbered_one_is_still_applied(
    tree: Any, author: Any
) -> None:
    brief = make_brief(tree, title="Quokka Diplomacy", authors=[author])
    sync.rebuild()
    late = SearchChange.objects.create(key=f"brief:{brief.pk}")
    later = SearchChange.objects.create(key="brief:0")
    # The index applied `later` before `late`'s transaction committed.
    with sync.store().writing() as writer:
        assert writer is not None
        writer.commit(Synced(later.id, [*synced().recent, later.id]))

    assert [pk for pk, _ in sync.pending(synced())] == [late.id]
    assert sync.sync() == 1
    assert sync.pending(synced()) == []


def test_a_search_while_another_process_writes_the_index_answers_from_the_index_as_it_is(
    client: Any, tree: Any, author: Any
) -> None:
    first = make_brief(tree, title="Quokka Diplomacy", authors=[author])
    assert first.url in found(client, "quokka")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(sync.index_root() / "lock")],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"locked\n"
        second = make_brief(tree, title="Quokka Summit", authors=[author])

        html = found(client, "quokka")  # does not wait for the lock
        assert first.url in html and second.url not in html
    finally:
        holder.communicate(b"\n", timeout=10)

    assert second.url in found(client, "quokka")


HOLD_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a+") as handle:
    fcntl.flock(handle, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_a_rebuild_swaps_in_a_new_generation_and_removes_the_old_one(
    tree: Any, author: Any
) -> None:
    make_brief(tree, title="Quokka Diplomacy", authors=[author])
    sync.rebuild()
    root = sync.index_root()
    before = (root / "CURRENT").read_text()
    other_process_view = sync.IndexStore(root)
    assert other_process_view.count() == 2  # the author and the brief

    make_brief(tree, title="Quokka Summit", authors=[author])
    sync.rebuild()

    after = (root / "CURRENT").read_text()
    assert after != before
    assert [p.name for p in root.glob("gen-*")] == [after]
    assert other_process_view.count() == 3  # noticed the new generation


def test_the_search_command_rebuilds_syncs_and_says_how_far_the_index_is(
    tree: Any, author: Any, capsys: Any
) -> None:
    call_command("search_index", "--status")
    assert "No index yet" in capsys.readouterr().out

    make_brief(tree, title="Quokka Diplomacy", authors=[author])
    call_command("search_index", "--rebuild")
    assert "Indexed 2 records" in capsys.readouterr().out

    make_brief(tree, title="Quokka Summit", authors=[author])
    call_command("search_index", "--status")
    status = capsys.readouterr().out
    assert "2 records" in status and ", 1 waiting" in status
    call_command("search_index", "--sync")
    assert "Applied 1 changes" in capsys.readouterr().out
    call_command("search_index", "--status")
    status = capsys.readouterr().out
    assert "3 records" in status and ", 0 waiting" in status


def test_the_search_command_without_an_action_says_what_to_do() -> None:
    with pytest.raises(CommandError, match="use briefdesk search --rebuild"):
        call_command("search_index")


def test_an_index_built_by_another_schema_version_is_rebuilt_at_the_next_search(
    client: Any, tree: Any, author: Any
) -> None:
    brief = make_brief(tree, title="Quokka Diplomacy", authors=[author])
    root = sync.index_root()
    root.mkdir(parents=True, exist_ok=True)
    (root / "gen-v0-1").mkdir()
    (root / "CURRENT").write_text("gen-v0-1")

    assert brief.url in found(client, "quokka")
    assert (root / "CURRENT").read_text().startswith(f"gen-v{SCHEMA_VERSION}-")
    assert not (root / "gen-v0-1").exists()


def test_a_brief_found_by_its_authors_name_shows_no_passage_of_its_body(
    client: Any, tree: Any
) -> None:
    author = make_author(tree, "Clara", "Whitcombe")
    brief = make_brief(
        tree,
        title="Quokka Diplomacy",
        authors=[author],
        summary="",
        body=[("paragraph", "<p>Talks resumed in Islamabad.</p>")],
    )

    html = found(client, "whitcombe")
    assert brief.url in html
    assert "Talks resumed" in html  # the teaser, read from the body
    assert '<p class="search-result__snippet">' not in html  # the byline names the author


def test_a_change_left_pending_by_another_process_is_applied_once_the_check_interval_passes(
    client: Any, tree: Any, author: Any, monkeypatch: Any
) -> None:
    assert "Quokka" not in found(client, "quokka")
    brief = make_brief(tree, title="Quokka Diplomacy", authors=[author])
    # As if another process had logged it and its own apply had failed: this process
    # looked at the log a moment ago and logged nothing since.
    sync._checked.update(at=time.monotonic(), dirty=False)

    assert brief.url not in found(client, "quokka")

    monkeypatch.setattr(sync, "CHECK_INTERVAL", 0.0)
    assert brief.url in found(client, "quokka")
