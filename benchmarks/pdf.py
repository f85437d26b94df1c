"""Time the PDF of a 1,500-word brief citing 25 sources through the full stack
(/briefs/<slug>/pdf/): cold (rendered by WeasyPrint and stored) and cached (served from
storage), with the brief's HTML page measured in the same run as a reference.

    .venv/bin/python benchmarks/pdf.py [--cold 7] [--cached 300]

Targets: cold <= 1.0 s, cached <= 10 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._setup import django_with_demo

SLUG = "bench-pdf-1500-words"
WORDS = 1500
SOURCES = 25


def build_brief() -> str:
    """A published brief of WORDS words citing SOURCES distinct demo sources, with
    sub-headings and a block quote, written from the demo briefs' own sentences."""
    from briefdesk.briefs.models import BriefAuthor, BriefPage, BriefTopic
    from briefdesk.briefs.teasers import plain_text

    existing = BriefPage.objects.filter(slug=SLUG).first()
    if existing:
        return existing.slug
    from briefdesk.sources.models import Source

    anatomy = BriefPage.objects.get(slug="how-wikileaks-hurts-us-pakistan-ties")
    sentences = [
        sentence.strip() + "."
        for brief in BriefPage.objects.live()
        for block in brief.body
        if block.block_type == "paragraph"
        for sentence in plain_text(str(block.value.source)).split(". ")
        if len(sentence.split()) > 6
    ]
    sources = list(Source.objects.order_by("pk")[:SOURCES])
    assert len(sources) == SOURCES, "the demo content has too few sources"
    body, words, cited, i = [], 0, 0, 0
    while words < WORDS:
        paragraph = []
        for _ in range(5):
            sentence = sentences[i % len(sentences)]
            i += 1
            words += len(sentence.split())
            if cited < SOURCES:
                s = sources[cited]
                sentence = sentence[:-1] + (
                    f' <a id="{s.pk}" linktype="source">{s.parenthetical_label}</a>.'
                )
                cited += 1
            paragraph.append(sentence)
        body.append(("paragraph", "<p>" + " ".join(paragraph) + "</p>"))
        if len(body) % 4 == 0:
            body.append(("heading", f"Part {len(body) // 4 + 1}"))
    body.insert(3, ("quote", {"quote": sentences[0], "attribution": "A columnist"}))
    page = BriefPage(
        title="What a 1,500-word brief costs to print",
        slug=SLUG,
        date=anatomy.date,
        summary="A benchmark brief.",
        body=body,
    )
    page.brief_authors = [BriefAuthor(author=a) for a in anatomy.authors]
    page.brief_topics = [BriefTopic(topic=link.topic) for link in anatomy.brief_topics.all()]
    anatomy.get_parent().add_child(instance=page)
    page.save_revision().publish()
    return page.slug


def timed_get(client, url: str) -> tuple[float, bytes]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cold", type=int, default=7, help="cold renders to time (default 7)")
    parser.add_argument("--cached", type=int, default=300, help="cached requests (default 300)")
    args = parser.parse_args()
    django_with_demo()
    from django.test import Client

    from briefdesk.briefs.models import BriefPage, BriefPdf
    from briefdesk.briefs.printing import invalidate_pdfs

    client = Client(HTTP_HOST="localhost")
    slug = build_brief()
    page = BriefPage.objects.get(slug=slug)
    url = f"/briefs/{slug}/pdf/"

    invalidate_pdfs([page.pk])
    start = time.perf_counter()
    import weasyprint  # noqa: F401

    import_ms = (time.perf_counter() - start) * 1000
    first, content = timed_get(client, url)  # the first layout also loads the fonts
    first += import_ms
    cold = []
    for _ in range(args.cold):
        invalidate_pdfs([page.pk])
        elapsed, content = timed_get(client, url)
        cold.append(elapsed)
    record = BriefPdf.objects.get(page=page)
    cached = [timed_get(client, url)[0] for _ in range(args.cached)]
    html = [timed_get(client, page.url)[0] for _ in range(args.cached)]

    def p95(values: list[float]) -> float:
        return sorted(values)[max(0, int(len(values) * 0.95) - 1)]

    print(f"PDF of a {WORDS:,}-word brief citing {SOURCES} sources ({url})")
    print(f"  {record.pages} pages, {len(content) / 1024:.0f} KB, variant {_variant()}")
    print(
        f"  first render in the process: {first:.0f} ms, of which importing WeasyPrint "
        f"{import_ms:.0f} ms (a server worker imports it at start-up: briefdesk/wsgi.py)"
    )
    print(
        f"  cold (render + store), {args.cold} runs: median {statistics.median(cold):.0f} ms, "
        f"min {min(cold):.0f} ms, max {max(cold):.0f} ms   target <= 1000 ms"
    )
    print(
        f"  cached (from storage), {args.cached} requests: "
        f"median {statistics.median(cached):.2f} ms, p95 {p95(cached):.2f} ms   target <= 10 ms"
    )
    print(
        f"  reference, the brief's HTML page (uncached) in the same run: median "
        f"{statistics.median(html):.2f} ms; cached PDF / HTML page = "
        f"{statistics.median(cached) / statistics.median(html):.2f}x, "
        f"cold PDF / HTML page = {statistics.median(cold) / statistics.median(html):.0f}x"
    )


def _variant() -> str:
    from django.conf import settings

    return settings.BRIEFDESK_PDF_VARIANT or "plain PDF"


if __name__ == "__main__":
    main()
