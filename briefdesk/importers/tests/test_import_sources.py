"""Importing entries as Sources: every entry is validated before anything is written, then
all are written in one transaction or none; duplicates of existing sources (by citation
key, DOI, URL, title and date) are updated in place, duplicates within the input skipped."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from briefdesk.importers.apply import ImportReport, import_entries, plan_import, run_import
from briefdesk.importers.references import parse_references
from briefdesk.sources.models import Outlet, Source
from tests.factories import OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db


def run(items: list[dict[str, Any]] | str, **options: Any) -> ImportReport:
    text = items if isinstance(items, str) else json.dumps(items, ensure_ascii=False)
    return import_entries(parse_references(text).entries, **options)


def page(key: str, **fields: Any) -> dict[str, Any]:
    return {"id": key, "type": "webpage", "title": f"Page {key}", **fields}


def outcomes(report: ImportReport) -> list[tuple[str, str]]:
    return [(r.key, r.outcome) for r in report.results]


# --- writing ---------------------------------------------------------------------------------


def test_new_references_become_sources_linked_to_outlets_by_name() -> None:
    nyt = OutletFactory(name="The New York Times")
    report = run(
        [
            page("a", type="article-newspaper", **{"container-title": "The New York Times"}),
            page("b", type="article-newspaper", **{"container-title": "Dawn"}),
            page("c", type="article-newspaper", **{"container-title": "Dawn"}),
        ]
    )

    assert report.ok and report.written
    assert outcomes(report) == [("a", "created"), ("b", "created"), ("c", "created")]
    sources = {s.citation_key: s for s in Source.objects.all()}
    assert sources["a"].outlet == nyt
    assert sources["b"].outlet == sources["c"].outlet == Outlet.objects.get(name="Dawn")
    assert [r.url for r in report.results] == [f"/sources/{sources[k].pk}/" for k in "abc"]


def test_a_dry_run_checks_everything_and_writes_nothing() -> None:
    existing = SourceFactory(url="https://example.org/known")

    report = run([page("a"), page("b", URL="https://example.org/known")], dry_run=True)

    assert report.ok and not report.written
    assert outcomes(report) == [("a", "create"), ("b", "update")]
    assert report.results[1].source_id == existing.pk
    assert Source.objects.count() == 1
    assert (
        report.summary() == "Checked 2 references: 1 to create, 1 to update. Nothing was written."
    )


def test_a_source_with_no_author_no_date_and_no_url_still_formats() -> None:
    report = run([{"id": "bare", "type": "webpage", "title": "A bare page"}])

    source_id = report.results[0].source_id
    assert source_id is not None
    source = Source.objects.get(pk=source_id)
    assert source.formatted_in("apa")["bibliography"] == "A bare page. (n.d.)."
    assert set(source.formatted) == {"mla", "apa", "chicago-nb", "chicago-ad"}


def test_a_date_like_winter_2010_is_kept_as_written_and_printed() -> None:
    report = run(
        "@article{riedel, title={Pakistan and the bomb}, author={Riedel, Bruce},"
        " journal={Foreign Affairs}, year={2010}, month={Winter}}"
    )

    assert report.ok
    source = Source.objects.get(citation_key="riedel")
    assert source.issued == ""
    assert source.csl_extra["issued"] == {"literal": "Winter 2010"}
    assert "Winter 2010" in source.formatted_in("chicago-nb")["bibliography"]
    assert source.to_csl()["issued"] == {"literal": "Winter 2010"}


def test_names_in_any_script_are_imported_and_formatted() -> None:
    report = run(
        "TY  - JOUR\nTI  - باكستان بعد ويكيليكس\nAU  - حقاني, حسين\nAU  - 王, 小明\n"
        "T2  - 国际问题研究\nPY  - 2010\nER  - \n"
    )

    assert report.ok
    source_id = report.results[0].source_id
    assert source_id is not None
    source = Source.objects.get(pk=source_id)
    assert source.authors == [
        {"family": "حقاني", "given": "حسين"},
        {"family": "王", "given": "小明"},
    ]
    bibliography = source.formatted_in("chicago-nb")["bibliography"]
    assert (
        "حقاني" in bibliography and "王" in bibliography and "باكستان بعد ويكيليكس" in bibliography
    )


def test_an_editor_can_import_100_references_from_one_paste() -> None:
    items = [
        page(
            f"story-{n}",
            URL=f"https://news.example/{n}",
            issued={"date-parts": [[2010, 11, 1 + n % 28]]},
        )
        for n in range(100)
    ]

    report = run(items)

    assert report.ok
    assert report.count("created") == 100
    assert Source.objects.count() == 100
    assert all(s.formatted for s in Source.objects.all())


# --- all or nothing --------------------------------------------------------------------------


def test_one_bad_entry_among_ten_writes_nothing_and_names_the_bad_entry() -> None:
    items = [page(f"p{n}", **{"container-title": "New Outlet"}) for n in range(10)]
    items[6] = {"id": "untitled", "type": "webpage", "URL": "https://example.org/u"}

    report = run(items)

    assert not report.ok and not report.written
    assert Source.objects.count() == 0
    assert Outlet.objects.count() == 0
    assert [r.as_line() for r in report.errors] == ["untitled (line 1): no title"]
    assert report.summary() == "1 of 10 references has an error: nothing was imported."


def test_every_entry_that_fails_model_validation_is_reported_and_nothing_written() -> None:
    report = run(
        [
            page("ok"),
            page("ftp", URL="ftp://files.example.org/report.pdf"),
            page("long", title="x" * 1001),
            page("outlet", **{"container-title": "y" * 300}),
        ]
    )

    assert Source.objects.count() == 0
    assert [(r.key, r.error) for r in report.results] == [
        ("ok", ""),
        ("ftp", "URL: Enter a valid URL."),
        ("long", "title: Ensure this value has at most 1000 characters (it has 1001)."),
        ("outlet", "outlet name: Ensure this value has at most 255 characters (it has 300)."),
    ]


def test_a_failure_while_saving_rolls_back_every_source_already_saved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save = Source.save

    def save_or_fail(self: Source, *args: Any, **kwargs: Any) -> None:
        if self.citation_key == "p3":
            raise RuntimeError("citation engine unavailable")
        save(self, *args, **kwargs)

    monkeypatch.setattr(Source, "save", save_or_fail)

    report = run([page(f"p{n}", **{"container-title": "Outlet"}) for n in range(5)])

    assert not report.written
    assert Source.objects.count() == 0
    assert Outlet.objects.count() == 0
    assert [(r.key, r.outcome) for r in report.errors] == [("p3", "error")]
    assert report.errors[0].error == "could not be saved: citation engine unavailable"
    assert {r.outcome for r in report.results if r.key != "p3"} == {"create"}


def test_a_user_who_may_not_change_sources_cannot_update_by_import() -> None:
    SourceFactory(url="https://example.org/known", title="Known")

    report = run([page("a", URL="https://example.org/known")], allow_updates=False)

    assert not report.ok
    assert re.fullmatch(
        r"matches source #\d+ \(same URL\): changing a published source needs an editor, "
        r"so an editor must import this reference",
        report.results[0].error,
    )
    assert Source.objects.get().title == "Known"


# --- duplicates ------------------------------------------------------------------------------

DUPLICATES = [
    # (stored source fields, imported item fields, matched by)
    (
        {"csl_extra": {"DOI": "10.1353/ASP.2011.0010"}},
        {"DOI": "https://doi.org/10.1353/asp.2011.0010"},
        "DOI",
    ),
    (
        {"url": "http://www.cfr.org/backgrounder/x/"},
        {"URL": "https://cfr.org/backgrounder/x"},
        "URL",
    ),
    (
        {"title": "The Militant Challenge in Pakistan", "issued": "2011-01"},
        {"title": "THE MILITANT CHALLENGE in Pakistan", "issued": {"date-parts": [[2011, 1]]}},
        "title and date",
    ),
    (
        {"citation_key": "fair2011", "url": "https://a.example/"},
        {"URL": "https://b.example/"},
        "citation key",
    ),
]


@pytest.mark.parametrize(("stored", "imported", "rule"), DUPLICATES)
def test_a_reference_already_stored_updates_that_source_in_place(
    stored: dict[str, Any], imported: dict[str, Any], rule: str
) -> None:
    source = SourceFactory(**{"title": "Old title", "issued": "", "url": "", **stored})
    source.title_apa, source.label = "Old title (APA)", "CFR"
    source.save()

    report = run([{"id": "fair2011", "type": "article-journal", "title": "New title", **imported}])

    assert [(r.outcome, r.matched_by, r.source_id) for r in report.results] == [
        ("updated", rule, source.pk)
    ]
    assert Source.objects.count() == 1
    source.refresh_from_db()
    assert source.citation_key == "fair2011"
    assert source.title == imported.get("title", "New title")
    assert (source.title_apa, source.label) == ("Old title (APA)", "CFR")


def test_a_source_with_a_draft_awaiting_review_is_not_updated_by_import() -> None:
    source = SourceFactory(title="Published title", citation_key="fair2011")
    source.title = "Draft title"
    source.save_revision()  # a live source: the draft is a revision, the row stays published
    source.refresh_from_db()
    assert source.has_unpublished_changes

    report = run([{"id": "fair2011", "type": "article-journal", "title": "Imported title"}])

    assert not report.ok
    [error] = report.errors
    assert f"source #{source.pk}" in error.error
    assert "draft awaiting review" in error.error
    source.refresh_from_db()
    assert source.title == "Published title"


@pytest.mark.parametrize(
    ("stored", "imported"),
    [
        (
            {"title": "Same title", "issued": "2011"},
            {"title": "Same title", "issued": {"date-parts": [[2012]]}},
        ),
        ({"title": "Home", "issued": ""}, {"title": "Home"}),
        ({"url": "https://example.org/a"}, {"URL": "https://example.org/b"}),
        (
            {"citation_key": "other-key", "url": "https://example.org/a"},
            {"URL": "https://example.org/a"},
        ),
    ],
)
def test_a_different_work_is_created_beside_the_stored_one(
    stored: dict[str, Any], imported: dict[str, Any]
) -> None:
    SourceFactory(**{"url": "", **stored})

    report = run([{"id": "new-key", "type": "webpage", "title": "A title", **imported}])

    assert outcomes(report) == [("new-key", "created")]
    assert Source.objects.count() == 2


def test_a_url_shared_with_a_source_of_another_key_is_noted_in_the_preview() -> None:
    other = SourceFactory(citation_key="other-key", url="https://example.org/a")

    report = run([page("new-key", URL="https://example.org/a")], dry_run=True)

    assert report.results[0].notes == [
        f"same URL as source #{other.pk} (other-key), but another citation key: imported separately"
    ]


def test_a_doi_matches_across_citation_keys_and_the_source_keeps_its_own() -> None:
    stored = SourceFactory(
        citation_key="fair-2011-journal-doi", csl_extra={"DOI": "10.1353/asp.2011.0010"}
    )

    report = run(
        [page("fair_militant_2011", DOI="10.1353/ASP.2011.0010", title="Fair from Zotero")]
    )

    [result] = report.results
    assert (result.outcome, result.matched_by, result.source_id) == ("updated", "DOI", stored.pk)
    assert result.notes == ["keeps its citation key fair-2011-journal-doi"]
    stored.refresh_from_db()
    assert (stored.title, stored.citation_key) == ("Fair from Zotero", "fair-2011-journal-doi")


def test_a_doi_repeated_in_the_input_under_two_keys_is_imported_once() -> None:
    report = run(
        [page("zotero-key", DOI="10.1/x"), page("mendeley-key", DOI="https://doi.org/10.1/X")]
    )

    assert outcomes(report) == [("zotero-key", "created"), ("mendeley-key", "duplicate")]
    assert Source.objects.count() == 1


def test_a_reference_repeated_in_the_input_is_imported_once() -> None:
    text = (
        "TY  - ELEC\nTI  - First copy\nUR  - https://example.org/a\nER  - \n"
        "TY  - ELEC\nTI  - Second copy\nUR  - http://www.example.org/a/\nER  - \n"
    )

    report = run(text)

    assert [r.as_line() for r in report.results] == [
        f"entry 1 -> /sources/{report.results[0].source_id}/ (created)",
        f"entry 2 -> /sources/{report.results[0].source_id}/ (duplicate of entry 1)",
    ]
    assert Source.objects.get().title == "First copy"


def test_references_with_different_citation_keys_stay_apart_even_with_one_url() -> None:
    report = run(
        [page("web", URL="https://example.org/a"), page("print", URL="https://example.org/a")]
    )

    assert outcomes(report) == [("web", "created"), ("print", "created")]


def test_an_exact_citation_key_match_wins_over_an_earlier_entrys_looser_match() -> None:
    stored = SourceFactory(citation_key="b", url="https://example.org/a")
    text = json.dumps(
        [
            {"title": "Keyless", "URL": "https://example.org/a"},
            page("b", URL="https://example.org/a"),
        ]
    )

    report = run(text)

    assert [(r.key, r.outcome, r.source_id) for r in report.results] == [
        ("entry 1", "duplicate", stored.pk),
        ("b", "updated", stored.pk),
    ]


def test_a_keyless_entry_updating_a_source_does_not_pull_in_another_keys_entry() -> None:
    stored = SourceFactory(citation_key="b", url="https://example.org/a")
    text = json.dumps(
        [
            {"title": "Keyless", "URL": "https://example.org/a"},
            page("c", URL="https://example.org/a"),
        ]
    )

    report = run(text)

    assert [(r.key, r.outcome) for r in report.results] == [
        ("entry 1", "updated"),
        ("c", "created"),
    ]
    assert report.results[0].source_id == stored.pk
    assert report.results[1].notes == [
        f"same URL as entry 1, source #{stored.pk} (b), but another citation key: "
        "imported separately"
    ]


def test_of_two_stored_duplicates_the_oldest_is_updated() -> None:
    first = SourceFactory(url="https://example.org/a")
    SourceFactory(url="https://example.org/a/")

    report = run([page("k", URL="https://example.org/a")])

    assert report.results[0].source_id == first.pk


def test_importing_the_same_references_again_changes_nothing() -> None:
    items = [page("a", URL="https://example.org/a", **{"container-title": "Site"}), page("b")]
    run(items)
    before = {s.pk: s.updated_at for s in Source.objects.all()}

    report = run(items)

    assert outcomes(report) == [("a", "unchanged"), ("b", "unchanged")]
    assert {s.pk: s.updated_at for s in Source.objects.all()} == before
    assert report.summary() == "Imported 2 references: 0 created, 0 updated, 2 unchanged."


def test_plan_and_run_can_be_called_apart() -> None:
    plan = plan_import(parse_references(json.dumps([page("a")])).entries)

    assert [p.action for p in plan] == ["create"]
    assert run_import(plan).results[0].outcome == "created"
