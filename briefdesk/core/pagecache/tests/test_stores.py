"""Both page stores keep the same promises (briefdesk.core.pagecache.stores): a stored page
comes back, a purge drops every variant of its path at once for every process, a render that
began before a purge is never stored, entries expire, and a store that cannot be reached is a
miss, never an error. Redis is a real redis-server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefdesk.core.pagecache.entry import Entry, Key
from briefdesk.core.pagecache.stores import FileStore, PageStore, RedisStore, _Memory

from .servers import redis_server


def entry(body: bytes = b"<p>page</p>", stored_at: float | None = None) -> Entry:
    return Entry(
        status="200 OK",
        headers=(("Content-Type", "text/html"),),
        body=body,
        etag=f'"{hash(body)}"',
        last_modified=time.time(),
        stored_at=time.time() if stored_at is None else stored_at,
    )


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(params=["files", "redis"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[PageStore, PageStore]:
    """Two stores on the same shared place: two processes (or machines) of one site."""
    if request.param == "files":
        return FileStore(tmp_path, ttl=60), FileStore(tmp_path, ttl=60)
    url = request.getfixturevalue("redis_url")
    first = RedisStore(url, ttl=60)
    first.clear()
    return first, RedisStore(url, ttl=60)


BRIEF = Key("https", "/briefs/cables/", "")
PAGE_2 = Key("https", "/briefs/", "page=2")
LISTING = Key("https", "/briefs/", "")


def test_a_page_stored_by_one_process_is_served_by_another(
    stores: tuple[PageStore, PageStore],
) -> None:
    one, two = stores
    assert one.put(BRIEF, entry(b"cables"), started=time.time())

    found = two.get(BRIEF)

    assert found is not None and found.body == b"cables"
    assert two.get(Key("http", "/briefs/cables/", "")) is None  # the scheme is part of the key


def test_a_purge_by_one_process_drops_every_variant_for_all_of_them(
    stores: tuple[PageStore, PageStore],
) -> None:
    one, two = stores
    for key in (LISTING, PAGE_2, BRIEF):
        one.put(key, entry(key.query.encode()), started=time.time())
    assert two.get(PAGE_2) is not None  # the second process holds its own copy now

    one.purge(["/briefs/"])

    assert two.get(PAGE_2) is None and two.get(LISTING) is None
    assert two.get(BRIEF) is not None


def test_a_render_that_began_before_a_purge_is_not_stored(
    stores: tuple[PageStore, PageStore],
) -> None:
    one, two = stores
    started = time.time()
    time.sleep(0.01)
    two.purge(["/briefs/cables/"])  # an editor publishes while the reader's page renders

    assert not one.put(BRIEF, entry(b"old"), started=started)
    assert one.get(BRIEF) is None
    time.sleep(0.01)
    assert one.put(BRIEF, entry(b"new"), started=time.time())


def test_an_entry_past_its_lifetime_is_a_miss(stores: tuple[PageStore, PageStore]) -> None:
    one, _ = stores
    one.put(BRIEF, entry(stored_at=time.time() - 61), started=time.time())

    assert one.get(BRIEF) is None


def test_an_unreachable_redis_is_a_miss_and_a_warning_never_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from .servers import free_port

    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", ttl=60)

    assert store.get(BRIEF) is None
    assert store.put(BRIEF, entry(), started=time.time()) is False
    assert store.purge(["/briefs/"]) == 0
    assert "page cache read failed" in caplog.text


def test_an_unwritable_directory_is_a_miss_and_a_warning_never_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "pages"
    blocker.write_text("a file where the directory should be")
    store = FileStore(blocker, ttl=60)

    assert store.put(BRIEF, entry(), started=time.time()) is False
    assert store.get(BRIEF) is None
    assert "page cache write failed" in caplog.text


def test_after_emptying_the_store_a_render_begun_before_is_not_stored(
    stores: tuple[PageStore, PageStore],
) -> None:
    one, two = stores
    one.put(LISTING, entry(), started=time.time())
    started = time.time()
    time.sleep(0.01)

    two.clear()

    assert one.get(LISTING) is None
    assert not one.put(BRIEF, entry(b"old"), started=started)
    time.sleep(0.01)
    assert one.put(BRIEF, entry(b"new"), started=time.time())


def test_hits_from_redis_come_back_after_redis_drops_its_connections(redis_url: str) -> None:
    store = RedisStore(redis_url, ttl=60)
    store.clear()
    store.put(BRIEF, entry(b"cables"), started=time.time())
    assert store.get(BRIEF) is not None

    store.client.client_kill_filter(_type="normal", skipme=True)  # every other connection
    store.get(BRIEF)  # a miss at worst, on the dropped connection

    found = store.get(BRIEF)
    assert found is not None and found.body == b"cables"


def test_threads_reading_redis_at_once_each_get_their_own_answers(redis_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = RedisStore(redis_url, ttl=60)
    store.clear()
    keys = [Key("https", f"/briefs/{n}/", "") for n in range(8)]
    for key in keys:
        store.put(key, entry(key.path.encode()), started=time.time())
    store.memory = _Memory(max_bytes=0)  # every get reads the ETag and the entry from Redis

    def read(key: Key) -> bytes:
        found = store.get(key)
        return found.body if found is not None else b""

    with ThreadPoolExecutor(4) as pool:
        bodies = list(pool.map(read, keys * 50))

    assert bodies == [key.path.encode() for key in keys] * 50
