"""A fetch written as a WARC reads back record by record and passes `warcio check`; the main
text of HTML, PDF and plain text (table-driven); a WACZ of several captures holds the files a
replay needs, with true hashes, and passes `wacz validate`."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from briefdesk.archive.fetch import Fetched, Hop
from briefdesk.archive.text import extract_text
from briefdesk.archive.wacz import WaczCapture, build_wacz
from briefdesk.archive.warc import write_warc

FILES = Path(__file__).parent / "files"
BIN = Path(sys.executable).parent
WHEN = dt.datetime(2026, 11, 30, 20, 13, 56, 123456, tzinfo=dt.UTC)
PAGE = (
    b"<!doctype html><html><head><title>Reservoirs at a low</title></head><body>"
    b"<nav>Home | World | Climate</nav><article><h1>Reservoirs at a low</h1>"
    b"<p>Storage in the region's reservoirs fell by a third over the dry season, the water "
    b"authority said on Monday, the steepest fall since records began in 1961.</p>"
    b"<p>Engineers expect levels to recover only if the winter rains come on time.</p>"
    b"</article><script>document.title = 'changed'</script></body></html>"
)


def fetched(
    content: bytes = PAGE,
    *,
    url: str = "http://127.0.0.1:8123/old",
    final_url: str = "http://127.0.0.1:8123/news?id=7",
    content_type: str = "text/html",
    redirects: tuple[Hop, ...] = (
        Hop("http://127.0.0.1:8123/old", 301, "http://127.0.0.1:8123/news?id=7"),
    ),
    when: dt.datetime = WHEN,
) -> Fetched:
    return Fetched(
        url=url,
        final_url=final_url,
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=(
            ("Content-Type", f"{content_type}; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Content-Length", "123"),
            ("Server", "test"),
        ),
        content=content,
        content_type=content_type,
        charset="utf-8",
        redirects=redirects,
        address="127.0.0.1",
        request_headers=(("User-Agent", "briefdesk-test"), ("Accept", "*/*")),
        fetched_at=when,
        elapsed=0.25,
    )


def records(data: bytes) -> list[tuple[str, str, dict[str, str], dict[str, str], bytes]]:
    """(type, target URI, WARC headers, HTTP headers, content) of every record, in order."""
    found = []
    for record in ArchiveIterator(io.BytesIO(data)):
        http = dict(record.http_headers.headers) if record.http_headers else {}
        found.append(
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI") or "",
                dict(record.rec_headers.headers),
                http,
                record.content_stream().read(),
            )
        )
    return found


def test_every_record_of_a_warc_reads_back_in_order() -> None:
    warc = write_warc(fetched(), software="briefdesk-test 1", filename="snap.warc.gz")
    found = records(warc.data)

    assert [(kind, uri) for kind, uri, *_ in found] == [
        ("warcinfo", ""),
        ("response", "http://127.0.0.1:8123/old"),
        ("request", "http://127.0.0.1:8123/news?id=7"),
        ("response", "http://127.0.0.1:8123/news?id=7"),
        ("metadata", "http://127.0.0.1:8123/news?id=7"),
    ]
    assert warc.data[:2] == b"\x1f\x8b"  # gzip
    assert all(
        headers["WARC-Date"] == "2026-11-30T20:13:56.123456Z" for _, _, headers, _, _ in found
    )
    assert {headers["WARC-Type"] for _, _, headers, _, _ in found} >= {"warcinfo", "metadata"}
    assert b"software: briefdesk-test 1" in found[0][4]


def test_the_final_response_stores_the_decoded_body_with_matching_headers() -> None:
    warc = write_warc(fetched(), software="t")
    _, _, headers, http, body = records(warc.data)[3]

    assert body == PAGE
    assert http["Content-Length"] == str(len(PAGE))
    assert "Content-Encoding" not in http
    assert http["X-Archive-Orig-Content-Encoding"] == "gzip"
    assert http["Server"] == "test"
    assert headers["WARC-IP-Address"] == "127.0.0.1"
    assert headers["WARC-Payload-Digest"].startswith("sha1:")
    assert warc.payload_sha256 == hashlib.sha256(PAGE).hexdigest()
    assert warc.sha256 == hashlib.sha256(warc.data).hexdigest()
    assert warc.response_id == headers["WARC-Record-ID"]


def test_the_request_and_metadata_point_at_the_response_and_tell_the_fetch() -> None:
    warc = write_warc(fetched(), software="briefdesk-test 1")
    _, _, _, hop_http, _ = records(warc.data)[1]
    _, _, request_headers, request_http, _ = records(warc.data)[2]
    _, _, response_headers, _, _ = records(warc.data)[3]
    _, _, metadata_headers, _, fields = records(warc.data)[4]

    assert hop_http["Location"] == "http://127.0.0.1:8123/news?id=7"
    assert request_http["User-Agent"] == "briefdesk-test"
    assert request_http["Host"] == "127.0.0.1:8123"
    assert request_headers["WARC-Concurrent-To"] == response_headers["WARC-Record-ID"]
    assert metadata_headers["WARC-Concurrent-To"] == response_headers["WARC-Record-ID"]
    assert metadata_headers["Content-Type"] == "application/warc-fields"
    text = fields.decode()
    assert "fetched-url: http://127.0.0.1:8123/old\r\n" in text
    assert "redirect: 301 http://127.0.0.1:8123/old -> http://127.0.0.1:8123/news?id=7" in text
    assert "software: briefdesk-test 1" in text


def test_a_warc_passes_warcio_check(tmp_path: Path) -> None:
    path = tmp_path / "snap.warc.gz"
    path.write_bytes(write_warc(fetched(), software="t", filename=path.name).data)
    pdf = tmp_path / "doc.warc.gz"
    pdf.write_bytes(
        write_warc(
            fetched((FILES / "report.pdf").read_bytes(), content_type="application/pdf"),
            software="t",
        ).data
    )

    result = subprocess.run(
        [str(BIN / "warcio"), "check", "-v", str(path), str(pdf)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("digest pass") == 10


def test_a_broken_record_fails_warcio_check(tmp_path: Path) -> None:
    """The check above can fail: a payload changed after writing breaks its digest."""
    import gzip

    data = gzip.decompress(write_warc(fetched(), software="t").data)
    path = tmp_path / "bad.warc"
    path.write_bytes(data.replace(b"steepest", b"smallest"))

    result = subprocess.run(
        [str(BIN / "warcio"), "check", str(path)], capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0


TEXTS = [
    # (content, media type, expected title, words in the text, words not in it, method)
    (
        PAGE,
        "text/html",
        "Reservoirs at a low",
        ["fell by a third", "winter rains"],
        ["document.title", "changed"],
        "trafilatura",
    ),
    (
        b"<html><head><title>Tiny</title><script>var x = 1;</script><style>p{}</style></head>"
        b"<body><p>Short.</p></body></html>",
        "text/html",
        "Tiny",
        ["Short."],
        ["var x", "p{}"],
        None,
    ),
    (
        (FILES / "report.pdf").read_bytes(),
        "application/pdf",
        "Reservoir report 2025",
        ["Annual report on reservoir levels", "fell by a third"],
        [],
        "pypdf",
    ),
    (b"%PDF-1.4 not really", "application/pdf", "", [], [], "none"),
    (b"Plain  words\n\n\nand more", "text/plain", "", ["Plain words\nand more"], [], "plain"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "", [], [], "none"),
    (b"", "text/html", "", [], [], "none"),
]


@pytest.mark.parametrize(("content", "kind", "title", "present", "absent", "method"), TEXTS)
def test_main_text_is_extracted_by_media_type(
    content: bytes,
    kind: str,
    title: str,
    present: list[str],
    absent: list[str],
    method: str | None,
) -> None:
    found = extract_text(content, kind, charset="utf-8")

    assert found.title == title
    for words in present:
        assert words in found.text
    for words in absent:
        assert words not in found.text
    if method:
        assert found.method == method
    if not present:
        assert found.text == ""


def captures() -> list[WaczCapture]:
    later = WHEN + dt.timedelta(days=3)
    first = write_warc(fetched(), software="t", filename="snapshot-1.warc.gz")
    second = write_warc(fetched(when=later, redirects=()), software="t")
    return [
        WaczCapture(
            "snapshot-2.warc.gz", second.data, "http://127.0.0.1:8123/news?id=7", "B", later
        ),
        WaczCapture("snapshot-1.warc.gz", first.data, "http://127.0.0.1:8123/news?id=7", "A", WHEN),
    ]


def test_a_wacz_holds_the_files_a_replay_needs_with_true_hashes() -> None:
    data = build_wacz(captures(), title="Source 1", software="briefdesk-test")
    archive = zipfile.ZipFile(io.BytesIO(data))

    assert set(archive.namelist()) == {
        "archive/snapshot-1.warc.gz",
        "archive/snapshot-2.warc.gz",
        "indexes/index.cdx",
        "pages/pages.jsonl",
        "datapackage.json",
        "datapackage-digest.json",
    }
    assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    package = json.loads(archive.read("datapackage.json"))
    assert package["wacz_version"] == "1.1.1"
    assert len(package["resources"]) == 4
    for resource in package["resources"]:
        content = archive.read(resource["path"])
        assert resource["hash"] == f"sha256:{hashlib.sha256(content).hexdigest()}"
        assert resource["bytes"] == len(content)
    digest = json.loads(archive.read("datapackage-digest.json"))
    assert (
        digest["hash"] == f"sha256:{hashlib.sha256(archive.read('datapackage.json')).hexdigest()}"
    )

    index = archive.read("indexes/index.cdx").decode().splitlines()
    assert index == sorted(index)
    assert any(
        '"filename": "snapshot-1.warc.gz"' in line and '"status": "301"' in line for line in index
    )
    assert sum('"status": "200"' in line for line in index) == 2
    pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").decode().splitlines()]
    assert pages[0]["format"] == "json-pages-1.0"
    assert [page["title"] for page in pages[1:]] == ["A", "B"]
    assert pages[1]["ts"] == "2026-11-30T20:13:56.123456Z"


def test_a_wacz_passes_wacz_validate(tmp_path: Path) -> None:
    path = tmp_path / "source.wacz"
    path.write_bytes(build_wacz(captures(), title="Source 1", software="briefdesk-test"))

    result = subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


@pytest.mark.parametrize(
    "names", [[], ["a.warc.gz", "a.warc.gz"], ["../a.warc.gz"], ["a.zip"]], ids=str
)
def test_a_wacz_refuses_no_captures_and_bad_or_repeated_names(names: list[str]) -> None:
    base = captures()[0]
    with pytest.raises(ValueError):
        build_wacz(
            [WaczCapture(name, base.warc, base.url, "", WHEN) for name in names],
            title="t",
            software="t",
        )
