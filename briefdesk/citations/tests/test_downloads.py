"""Citation downloads and plain-text entries for briefs and sources, read back with the same
maintained parsers a reference manager's importer would use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import bibtexparser
import pytest
import rispy
from django.urls import reverse

from briefdesk.briefs.models import BriefPage
from briefdesk.citations.export import bibtex_key, to_bibtex, to_csl_json, to_ris
from briefdesk.citations.styles import STYLES
from briefdesk.sources.models import Source
from tests.db import rolled_back
from tests.download_fields import expected_bibtex, expected_ris, read_bibtex, read_ris
from tests.factories import (
    OutletFactory,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
)

pytestmark = pytest.mark.django_db
CORPUS = json.loads(
    (
        __import__("pathlib").Path(__file__).resolve().parents[3]
        / "tests/cite-fixtures/corpus.json"
    ).read_text()
)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with rolled_back(django_db_blocker):
        tree = make_site_tree()
        a = make_author(tree, "Jayshree", "Bajoria")
        b = make_author(tree, "Imran", "Khan")
        s1 = SourceFactory(outlet=OutletFactory(name="Reuters"), title="First story")
        s2 = SourceFactory(
            kind="report", outlet=OutletFactory(name="CRS"), title="A report", medium="PDF", url=""
        )
        brief = make_brief(
            tree,
            authors=[a, b],
            body=[("paragraph", f"<p>Claim {cite(s2)} and {cite(s1)} and {cite(s2)}.</p>")],
        )
        draft = make_brief(tree, title="Secret draft", slug="secret-draft", publish=False)
        yield {"brief": brief, "draft": draft, "s1": s1, "s2": s2}


def file_url(page: BriefPage, fmt: str) -> str:
    return reverse("brief_cite_file", args=[page.slug, fmt])


def test_csl_json_download_is_the_brief_and_parses(world: dict, client: Any) -> None:
    response = client.get(file_url(world["brief"], "json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    assert 'filename="' in response["Content-Disposition"]
    items = json.loads(response.content)
    assert [i["title"] for i in items] == [world["brief"].title]
    assert [a["family"] for a in items[0]["author"]] == ["Bajoria", "Khan"]


def test_with_sources_adds_them_after_the_brief_in_order_of_first_citation(
    world: dict, client: Any
) -> None:
    items = json.loads(client.get(file_url(world["brief"], "json") + "?with=sources").content)
    assert [i["title"] for i in items] == [world["brief"].title, "A report", "First story"]
    assert items[1] == Source.objects.get(pk=world["s2"].pk).to_csl()


def test_bibtex_download_parses_with_every_entry(world: dict, client: Any) -> None:
    response = client.get(file_url(world["brief"], "bib") + "?with=sources")
    assert response["Content-Type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    assert [e.entry_type for e in library.entries] == ["techreport", "techreport", "article"]
    assert library.entries[0]["author"] == "Bajoria, Jayshree and Khan, Imran"


def test_ris_download_parses_with_every_record(world: dict, client: Any) -> None:
    response = client.get(file_url(world["brief"], "ris") + "?with=sources")
    text = response.content.decode()
    records = rispy.loads(text)
    assert [r["type_of_reference"] for r in records] == ["RPRT", "RPRT", "NEWS"]
    assert records[0]["authors"] == ["Bajoria, Jayshree", "Khan, Imran"]
    assert text.startswith("TY  - ")
    assert "\nER  - \nTY  - " in text


@pytest.mark.parametrize("fmt", ["bib", "ris"])
def test_the_brief_and_source_downloads_carry_every_field_of_their_csl(
    world: dict, client: Any, fmt: str
) -> None:
    items = json.loads(client.get(file_url(world["brief"], "json") + "?with=sources").content)
    text = client.get(file_url(world["brief"], fmt) + "?with=sources").content.decode()

    if fmt == "bib":
        assert read_bibtex(text) == {bibtex_key(i): expected_bibtex(i) for i in items}
    else:
        assert read_ris(text) == [expected_ris(i) for i in items]
    assert items[0]["type"] == "report"


@pytest.mark.parametrize("style", list(STYLES))
def test_cite_txt_is_one_line_of_the_stored_entry(world: dict, client: Any, style: str) -> None:
    response = client.get(file_url(world["brief"], "txt") + f"?style={style}")
    text = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert text == world["brief"].citations[style]["bibliography"] + "\n"
    cited = client.get(file_url(world["brief"], "txt") + f"?style={style}&form=citation")
    assert cited.content.decode() == world["brief"].citations[style]["citation"] + "\n"


@pytest.mark.parametrize(
    "query", ["?style=harvard", "?style=", "?style=MLA", "?form=footnote", "?with=everything"]
)
def test_bad_parameters_answer_400_with_the_valid_values(
    world: dict, client: Any, query: str
) -> None:
    fmt = "json" if "with" in query else "txt"
    if query == "?style=":
        # An empty style means the default, not an error.
        assert client.get(file_url(world["brief"], fmt) + query).status_code == 200
        return
    response = client.get(file_url(world["brief"], fmt) + query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "mla, apa, chicago-nb, chicago-ad" in body or "Valid forms" in body or "with" in body


def test_a_draft_has_no_citation_files(world: dict, client: Any) -> None:
    for fmt in ("json", "bib", "ris", "txt"):
        assert client.get(file_url(world["draft"], fmt)).status_code == 404


def test_an_unknown_file_type_is_404(world: dict, client: Any) -> None:
    assert client.get(file_url(world["brief"], "docx")).status_code == 404


def test_the_sources_list_switches_style_with_a_parameter(world: dict, client: Any) -> None:
    s1 = Source.objects.get(pk=world["s1"].pk)
    for style in STYLES:
        html = client.get(world["brief"].url + f"?style={style}").content.decode()
        entry = s1.formatted[style]["bibliography_html"].split("https://")[0]
        assert entry in html.partition('<ol class="source-list">')[2]
        assert f'data-source-style="{style}" aria-current="true"' in html


def test_an_unknown_sources_style_answers_400(world: dict, client: Any) -> None:
    response = client.get(world["brief"].url + "?style=vancouver")
    assert response.status_code == 400
    assert "mla, apa, chicago-nb, chicago-ad" in response.content.decode()


def test_the_sources_list_fragment_is_just_the_list(world: dict, client: Any) -> None:
    html = client.get(world["brief"].url + "?style=apa&partial=sources").content.decode()
    assert html.strip().startswith('<ol class="source-list">')
    assert "<html" not in html


def test_a_source_page_shows_every_style_and_the_briefs_citing_it(world: dict, client: Any) -> None:
    s1 = Source.objects.get(pk=world["s1"].pk)
    html = client.get(reverse("sources:detail", args=[s1.pk])).content.decode()
    for style in STYLES:
        assert s1.formatted[style]["bibliography_html"] in html
    assert world["brief"].title in html


def test_source_downloads_and_text(world: dict, client: Any) -> None:
    s1 = Source.objects.get(pk=world["s1"].pk)
    data = json.loads(client.get(reverse("sources:cite_file", args=[s1.pk, "json"])).content)
    assert data == [s1.to_csl()]
    text = client.get(reverse("sources:cite_file", args=[s1.pk, "txt"]) + "?style=apa")
    assert text.content.decode() == s1.formatted["apa"]["bibliography"] + "\n"
    bad = client.get(reverse("sources:cite_file", args=[s1.pk, "txt"]) + "?style=nope")
    assert bad.status_code == 400
    assert client.get(reverse("sources:cite_file", args=[99999, "bib"])).status_code == 404


def test_the_whole_fixture_corpus_exports_to_parseable_bibtex_and_ris() -> None:
    library = bibtexparser.parse_string(to_bibtex(CORPUS))
    assert not library.failed_blocks
    assert len(library.entries) == len(CORPUS)
    assert len({e.key for e in library.entries}) == len(CORPUS)
    assert len(rispy.loads(to_ris(CORPUS))) == len(CORPUS)
    assert json.loads(to_csl_json(CORPUS)) == CORPUS


def test_bibtex_escapes_special_characters_and_keeps_unicode() -> None:
    item = {
        "id": "x y",
        "type": "report",
        "title": "50% of {Costs} & $ under_score",
        "author": [{"literal": "خان & Co"}],
    }
    library = bibtexparser.parse_string(to_bibtex([item]))
    entry = library.entries[0]
    assert entry.key == "x-y"
    assert r"50\% of \{Costs\} \& \$ under\_score" in entry["title"]
    assert "خان" in entry["author"]
