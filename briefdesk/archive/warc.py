"""One fetch as a gzip WARC 1.1 file: what a snapshot keeps of a web page or a document.

    warc = write_warc(fetched, software="briefdesk 0.1.0")
    storage.save(name, ContentFile(warc.data))       # warc.payload_sha256, warc.size

The file holds, in order:

- a `warcinfo` record (the software, the format, the operator's contact URL when given);
- one `response` record per redirect hop, with the status and Location the server sent (the
  fetcher keeps only those of a hop, so the hop's record has no other headers), so a replay of
  the URL first asked for follows the same redirects;
- the `request` record of the final request, as sent;
- the `response` record of the final answer: its status line and headers as received, except
  that the body is stored decoded (the fetcher undoes gzip/br/deflate), so Content-Encoding and
  Transfer-Encoding are dropped and Content-Length is set to the stored body's length. Each
  header it changes is kept as `X-Archive-Orig-<name>`. WARC-IP-Address, WARC-Date (the fetch's
  time, to the microsecond) and WARC-Payload-Digest are set;
- a `metadata` record (application/warc-fields): the URL asked for and the one answered, each
  redirect, the address, the elapsed time and the software.

ORM-free: plain data in (a Fetched), bytes out. The output passes `warcio check`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from .fetch import Fetched

WARC_VERSION = "WARC/1.1"
# Headers that describe the bytes on the wire, not the body the record stores.
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class WarcFile:
    """A written WARC: its bytes (gzip, one member per record), their SHA-256, and the SHA-256
    and length of the final response's body (the payload a snapshot is compared by)."""

    data: bytes
    sha256: str
    payload_sha256: str
    payload_size: int
    response_id: str  # WARC-Record-ID of the final response record


def warc_date(moment: datetime) -> str:
    """A WARC 1.1 date: UTC, to the microsecond (`2026-11-30T20:13:56.123456Z`)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=True)


def stored_headers(headers: tuple[tuple[str, str], ...], body_length: int) -> list[tuple[str, str]]:
    """The response headers as the record stores them with a decoded body: the wire headers
    (Content-Encoding, Transfer-Encoding, Content-Length) renamed X-Archive-Orig-*, and a
    Content-Length that matches the stored body."""
    kept: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() in _WIRE_HEADERS:
            kept.append((f"X-Archive-Orig-{name}", value))
        else:
            kept.append((name, value))
    kept.append(("Content-Length", str(body_length)))
    return kept


def write_warc(
    fetched: Fetched,
    *,
    software: str,
    filename: str = "",
    operator: str = "",
) -> WarcFile:
    """Write the fetch as a gzip WARC 1.1 file (records as in the module docstring).

    `software` names the writer in the warcinfo and metadata records; `filename` is recorded as
    WARC-Filename; `operator` (a contact URL) as the warcinfo's `operator` when not empty.
    Never reads the network or the database.
    """
    out = BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version=WARC_VERSION)
    date = warc_date(fetched.fetched_at)

    info = {
        "software": software,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "operator": operator,
        "isPartOf": "briefdesk snapshots",
    }
    warcinfo = writer.create_warcinfo_record(filename, info)
    warcinfo.rec_headers.replace_header("WARC-Date", date)
    warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
    writer.write_record(warcinfo)

    for hop in fetched.redirects:
        hop_headers = [("Location", hop.location), ("Content-Length", "0")]
        record = writer.create_warc_record(
            hop.url,
            "response",
            payload=BytesIO(b""),
            length=0,
            warc_headers_dict={"WARC-Date": date, "WARC-Warcinfo-ID": warcinfo_id},
            http_headers=StatusAndHeaders(
                f"{hop.status} {_reason(hop.status)}",
                hop_headers,
                protocol=fetched.http_version or "HTTP/1.1",
            ),
        )
        writer.write_record(record)

    body = fetched.content
    response_headers = {"WARC-Date": date, "WARC-Warcinfo-ID": warcinfo_id}
    if fetched.address:
        response_headers["WARC-IP-Address"] = fetched.address
    response = writer.create_warc_record(
        fetched.final_url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        warc_headers_dict=response_headers,
        http_headers=StatusAndHeaders(
            f"{fetched.status} {fetched.reason or _reason(fetched.status)}".strip(),
            stored_headers(fetched.headers, len(body)),
            protocol=fetched.http_version or "HTTP/1.1",
        ),
    )
    response_id = response.rec_headers.get_header("WARC-Record-ID")

    parts = urlsplit(fetched.final_url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = list(fetched.request_headers)
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", parts.netloc))
    request = writer.create_warc_record(
        fetched.final_url,
        "request",
        payload=BytesIO(b""),
        length=0,
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Warcinfo-ID": warcinfo_id,
            "WARC-Concurrent-To": response_id,
        },
        http_headers=StatusAndHeaders(
            f"GET {target} {fetched.http_version or 'HTTP/1.1'}",
            request_headers,
            is_http_request=True,
        ),
    )
    writer.write_record(request)
    writer.write_record(response)

    fields = BytesIO()
    for name, value in _metadata_fields(fetched, software):
        fields.write(f"{name}: {value}\r\n".encode())
    length = fields.tell()
    fields.seek(0)
    metadata = writer.create_warc_record(
        fetched.final_url,
        "metadata",
        payload=fields,
        length=length,
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Warcinfo-ID": warcinfo_id,
            "WARC-Concurrent-To": response_id,
        },
    )
    writer.write_record(metadata)

    data = out.getvalue()
    return WarcFile(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        payload_sha256=hashlib.sha256(body).hexdigest(),
        payload_size=len(body),
        response_id=response_id,
    )


def _metadata_fields(fetched: Fetched, software: str) -> list[tuple[str, str]]:
    fields = [
        ("software", software),
        ("fetched-url", fetched.url),
        ("final-url", fetched.final_url),
        ("http-status", str(fetched.status)),
        ("content-type", fetched.content_type),
        ("ip-address", fetched.address),
        ("fetched-at", warc_date(fetched.fetched_at)),
        ("elapsed-seconds", f"{fetched.elapsed:.3f}"),
        ("payload-sha256", hashlib.sha256(fetched.content).hexdigest()),
    ]
    fields += [
        ("redirect", f"{hop.status} {hop.url} -> {hop.location}") for hop in fetched.redirects
    ]
    # warc-fields values are one line each: a stray line break in a URL must not start a field.
    return [(name, " ".join(value.split())) for name, value in fields]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
