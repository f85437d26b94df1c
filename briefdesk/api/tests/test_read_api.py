"""The read API (/api/v1/): what it says about briefs, guides, experts and sources, its
filters and pages, its ETags, its answers to bad input, and that nothing a reader may not see
(drafts, private sections, unpublished sources) appears anywhere in it.

The OpenAPI schema and property-based tests: test_read_api_schema.py."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction
from wagtail.rich_text import RichText

from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.sources.models import Source
from briefdesk.topics.models import TopicGuidePage
from tests.db import rolled_back
from tests.factories import (
    SiteTree,
    SourceFactory,
    cite,
    make_author,
    make_brief,
    make_site_tree,
    make_topic,
)

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"  # WAGTAILADMIN_BASE_URL in the test settings


def api(name: str, **kwargs: Any) -> str:
    return reverse(f"api-v1:{name}", kwargs=kwargs)


def get_json(client: Any, url: str, status: int = 200, **params: Any) -> Any:
    response = client.get(url, params)
    assert response.status_code == status, (url, params, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def make_private(page: Page) -> None:
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )


def publish(page: Page) -> Any:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@dataclass
class World:
    tree: SiteTree
    author: AuthorPage
    topic: TopicGuidePage
    sub_topic: TopicGuidePage
    brief: BriefPage
    older: BriefPage
    cable: Source
    # Unique words in everything a reader may not see: none may appear in any answer.
    hidden: list[str]


def build_world() -> World:
    tree = make_site_tree()
    author = make_author(tree)
    hidden_author = make_author(tree, "Hidden", "Quillfeather")
    make_private(hidden_author)
    topic = make_topic(tree, "Pakistan")
    secret_topic = make_topic(tree, "Marmalade Affairs")
    make_private(secret_topic)

    cable = SourceFactory(title="Cable on the Kerry-Lugar bill", issued="2009-10-05")
    draft_source = SourceFactory(title="Zanzibar dossier")
    draft_only = SourceFactory(title="Quetzal memo")  # cited only by a draft brief
    private_only = SourceFactory(title="Wombat report")  # cited only by a private brief

    brief = make_brief(
        tree,
        title="How WikiLeaks Hurts U.S.-Pakistan Ties",
        summary="The cables strain an uneasy alliance.",
        authors=[author, hidden_author],
        topics=[topic, secret_topic],
        body=[
            ("heading", "The cables"),
            (
                "paragraph",
                f"<p>Aid was tied to reform {cite(cable)}, and to more {cite(draft_source)}.</p>",
            ),
            ("topic_box", {"topic": secret_topic, "text": "Marmalade box"}),
        ],
        brief_type="Analysis Brief",
        date=dt.date(2010, 12, 6),
    )
    older = make_brief(
        tree,
        title="Pakistan's Floods",
        slug="pakistans-floods",
        summary="A backgrounder.",
        authors=[author],
        topics=[topic],
        brief_type="Backgrounder",
        date=dt.date(2010, 8, 20),
    )
    make_brief(
        tree,
        title="Draft Narwhal brief",
        summary="Narwhalology.",
        authors=[author],
        topics=[topic],
        body=[("paragraph", f"<p>Secret {cite(draft_only)}.</p>")],
        date=dt.date(2011, 1, 1),
        publish=False,
    )
    private_brief = make_brief(
        tree,
        title="Private Zeppelin brief",
        summary="Zeppelinography.",
        authors=[author],
        topics=[topic],
        body=[("paragraph", f"<p>Members only {cite(private_only)}.</p>")],
        date=dt.date(2011, 2, 1),
    )
    make_private(private_brief)

    sub_topic = TopicGuidePage(title="Kashmir", slug="kashmir", label="Crisis Guide")
    topic.add_child(instance=sub_topic)
    publish(sub_topic)
    secret_sub = TopicGuidePage(title="Ocelot valley", slug="ocelot", label="Crisis Guide")
    topic.add_child(instance=secret_sub)
    make_private(secret_sub)
    publish(secret_sub)

    topic = TopicGuidePage.objects.get(pk=topic.pk)
    topic.description = "Nuclear-armed and unstable."
    topic.introduction = "<p>A <b>guide</b> to Pakistan.</p>"
    topic.key_facts = [("fact", {"label": "Population", "value": "241 million"})]
    topic.timeline = [
        (
            "event",
            {
                "date": dt.date(2010, 11, 28),
                "text": RichText(f"<p>WikiLeaks publishes cables {cite(cable)}.</p>"),
                "briefs": [brief, private_brief],
            },
        ),
        (
            "event",
            {
                "date": dt.date(2011, 5, 2),
                "text": RichText(f"<p>A raid {cite(draft_source)}.</p>"),
                "briefs": [],
            },
        ),
    ]
    publish(topic)
    # Publishing a brief publishes the draft sources it cites: unpublish this one after.
    Source.objects.filter(pk=draft_source.pk).update(live=False)
    return World(
        tree=tree,
        author=author,
        topic=topic,
        sub_topic=sub_topic,
        brief=brief,
        older=older,
        cable=cable,
        hidden=[
            "hidden-quillfeather",  # named in the byline, as on the page; never linked
            "Marmalade",
            "Zanzibar",
            "Quetzal",
            "Wombat",
            "Narwhal",
            "Zeppelin",
            "Ocelot",
        ],
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once (formatting citations is slow); each test's changes are rolled back."""
    with rolled_back(django_db_blocker):
        yield build_world()


# --- briefs -------------------------------------------------------------------------------


def test_a_brief_has_its_fields_body_sources_as_csl_json_and_stored_citations(
    client: Any, world: World
) -> None:
    data = get_json(client, api("brief", slug=world.brief.slug))
    brief = world.brief
    assert data["id"] == brief.pk
    assert data["url"] == brief.canonical_url() == f"{BASE}/briefs/{brief.slug}/"
    assert data["api_url"] == f"{BASE}/api/v1/briefs/{brief.slug}/"
    assert data["title"] == brief.title
    assert (data["type"], data["number"]) == ("Analysis Brief", brief.number)
    assert brief.number  # numbered on publication
    assert data["date"] == "2010-12-06"
    assert data["teaser"] == "The cables strain an uneasy alliance."
    assert data["authors"][0] == {
        "name": "Jayshree Bajoria",
        "slug": "jayshree-bajoria",
        "url": f"{BASE}/authors/jayshree-bajoria/",
        "api_url": f"{BASE}/api/v1/experts/jayshree-bajoria/",
    }
    assert data["topics"] == [
        {
            "slug": "pakistan",
            "label": "Crisis Guide",
            "title": "Pakistan",
            "url": f"{BASE}/topics/pakistan/",
            "api_url": f"{BASE}/api/v1/guides/pakistan/",
        }
    ]
    # The body as the page renders it: the citation is "(Label)" linked to the source's web
    # page; a citation of an unpublished source is its plain text.
    assert '<h2 class="brief-subhead">The cables</h2>' in data["body_html"]
    assert f'href="{world.cable.url}"' in data["body_html"]
    assert f'data-source="{world.cable.pk}"' in data["body_html"]
    assert "cite--missing" in data["body_html"]
    # Sources: the live one only, as CSL-JSON, with its page on the site.
    assert data["sources"] == [
        {
            "id": world.cable.pk,
            "url": f"{BASE}/sources/{world.cable.pk}/",
            "api_url": f"{BASE}/api/v1/sources/{world.cable.pk}/",
            "csl": world.cable.to_csl(),
        }
    ]
    assert data["sources"][0]["csl"]["title"] == "Cable on the Kerry-Lugar bill"
    assert set(data["citations"]) == {"mla", "apa", "chicago-nb", "chicago-ad"}
    assert data["citations"]["mla"]["bibliography"] == brief.citations["mla"]["bibliography"]
    assert "How WikiLeaks Hurts" in data["citations"]["chicago-nb"]["bibliography"]


def test_the_brief_list_is_newest_first_and_paginated(client: Any, world: World) -> None:
    data = get_json(client, api("briefs"))
    assert [b["slug"] for b in data["items"]] == [world.brief.slug, world.older.slug]
    assert (data["count"], data["page"], data["pages"]) == (2, 1, 1)
    assert data["next"] is data["previous"] is None
    assert "body_html" not in data["items"][0]  # lists carry summaries only

    first = get_json(client, api("briefs"), per_page=1)
    assert [b["slug"] for b in first["items"]] == [world.brief.slug]
    assert first["pages"] == 2
    assert first["next"] == f"{BASE}/api/v1/briefs/?per_page=1&page=2"
    second = client.get(first["next"].removeprefix(BASE)).json()
    assert [b["slug"] for b in second["items"]] == [world.older.slug]
    assert second["previous"] == f"{BASE}/api/v1/briefs/?per_page=1&page=1"
    assert second["next"] is None

    past = get_json(client, api("briefs"), 404, page=3, per_page=1)
    assert past["detail"] == "There is no page 3: there are 2 page(s) of 1."


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"topic": "pakistan"}, ["brief", "older"]),
        ({"topic": "kashmir"}, []),
        ({"expert": "jayshree-bajoria"}, ["brief", "older"]),
        ({"type": "Backgrounder"}, ["older"]),
        ({"date_from": "2010-12-01"}, ["brief"]),
        ({"date_to": "2010-12-05"}, ["older"]),
        ({"date_from": "2010-08-20", "date_to": "2010-08-20"}, ["older"]),
        ({"date_from": "2011-01-01", "date_to": "2010-01-01"}, []),
        ({"topic": "pakistan", "type": "Analysis Brief", "expert": "jayshree-bajoria"}, ["brief"]),
    ],
)
def test_briefs_filter_by_topic_expert_type_and_date(
    client: Any, world: World, params: dict[str, Any], expected: list[str]
) -> None:
    data = get_json(client, api("briefs"), **params)
    slugs = {"brief": world.brief.slug, "older": world.older.slug}
    assert [b["slug"] for b in data["items"]] == [slugs[name] for name in expected]
    assert data["count"] == len(expected)


# --- guides, experts, sources -------------------------------------------------------------


def test_a_guide_has_its_key_facts_timeline_newest_first_and_sub_guides(
    client: Any, world: World
) -> None:
    data = get_json(client, api("guide", slug="pakistan"))
    assert (data["label"], data["title"]) == ("Crisis Guide", "Pakistan")
    assert data["description"] == "Nuclear-armed and unstable."
    assert "<b>guide</b>" in data["introduction_html"]
    assert data["key_facts"] == [{"label": "Population", "value": "241 million"}]
    assert [e["date"] for e in data["timeline"]] == ["2011-05-02", "2010-11-28"]
    assert data["latest_event"] == data["timeline"][0]
    cables = data["timeline"][1]
    assert cables["briefs"] == [world.brief.slug]  # the private brief is left out
    assert f'href="{world.cable.url}"' in cables["text_html"]
    assert "cite--missing" in data["timeline"][0]["text_html"]  # unpublished source
    assert [g["slug"] for g in data["sub_guides"]] == ["kashmir"]
    assert data["parent"] is None
    assert data["briefs_url"] == f"{BASE}/api/v1/briefs/?topic=pakistan"

    sub = get_json(client, api("guide", slug="kashmir"))
    assert (sub["parent"], sub["timeline"], sub["latest_event"]) == ("pakistan", [], None)

    listed = get_json(client, api("guides"))
    assert [g["slug"] for g in listed["items"]] == ["kashmir", "pakistan"]
    assert listed["items"][1]["latest_event"]["date"] == "2011-05-02"


def test_an_expert_has_name_role_bio_links_and_no_photo(client: Any, world: World) -> None:
    author = AuthorPage.objects.get(pk=world.author.pk)
    author.links = [("link", {"label": "ORCID", "url": "https://orcid.org/0000-0001"})]
    publish(author)
    data = get_json(client, api("expert", slug="jayshree-bajoria"))
    assert (data["name"], data["role"]) == ("Jayshree Bajoria", "Staff writer")
    assert data["bio_html"] == "<p>Writes about South Asia.</p>"
    assert data["links"] == [{"label": "ORCID", "url": "https://orcid.org/0000-0001"}]
    assert data["photo_url"] is None
    assert data["url"] == f"{BASE}/authors/jayshree-bajoria/"
    assert data["briefs_url"] == f"{BASE}/api/v1/briefs/?expert=jayshree-bajoria"
    listed = get_json(client, api("experts"))
    assert [e["slug"] for e in listed["items"]] == ["jayshree-bajoria"]


def test_a_source_has_csl_json_stored_citations_and_the_public_briefs_citing_it(
    client: Any, world: World
) -> None:
    data = get_json(client, api("source", id=world.cable.pk))
    assert data["csl"] == world.cable.to_csl()
    assert data["title"] == "Cable on the Kerry-Lugar bill"
    assert data["citations"]["apa"]["bibliography"] == world.cable.formatted["apa"]["bibliography"]
    assert data["briefs"] == [
        {
            "slug": world.brief.slug,
            "title": world.brief.title,
            "url": world.brief.canonical_url(),
            "api_url": f"{BASE}/api/v1/briefs/{world.brief.slug}/",
        }
    ]
    listed = get_json(client, api("sources"))
    assert [s["id"] for s in listed["items"]] == [world.cable.pk]


# --- nothing hidden -----------------------------------------------------------------------


def test_drafts_private_pages_and_unpublished_sources_never_appear(
    client: Any, world: World
) -> None:
    urls = [api("index"), api("briefs"), api("guides"), api("experts"), api("sources")]
    bodies: list[str] = []
    for url in urls:
        data = get_json(client, url, per_page=100) if url != api("index") else {}
        bodies.append(json.dumps(data))
        for item in data.get("items", []):
            bodies.append(client.get(item["api_url"].removeprefix(BASE)).content.decode())
    text = "\n".join(bodies)
    assert world.brief.title in text and "Kashmir" in text  # the public things are read
    found = [word for word in world.hidden if word.lower() in text.lower()]
    assert not found, f"hidden content in the API: {found}"

    brief = get_json(client, api("brief", slug=world.brief.slug))
    # A private author stays in the byline as a name, with no address.
    assert brief["authors"][1] == {"name": "Hidden Quillfeather", "slug": None, "url": None,
                                   "api_url": None}  # fmt: skip
    assert get_json(client, api("briefs"))["count"] == 2
    assert get_json(client, api("sources"))["count"] == 1

    # Every hidden thing answers 404 at its own address, and as a filter.
    hidden = {
        api("brief", slug="draft-narwhal-brief"),
        api("brief", slug="private-zeppelin-brief"),
        api("guide", slug="marmalade-affairs"),
        api("guide", slug="ocelot"),
        api("expert", slug="hidden-quillfeather"),
        *(api("source", id=s.pk) for s in Source.objects.exclude(pk=world.cable.pk)),
    }
    for url in hidden:
        get_json(client, url, 404)
    get_json(client, api("briefs"), 404, topic="marmalade-affairs")
    get_json(client, api("briefs"), 404, expert="hidden-quillfeather")


def test_a_brief_published_then_unpublished_disappears(client: Any, world: World) -> None:
    BriefPage.objects.get(pk=world.older.pk).unpublish()
    assert get_json(client, api("briefs"))["count"] == 1
    get_json(client, api("brief", slug=world.older.slug), 404)


def test_a_live_brief_shows_its_live_version_not_a_pending_draft(client: Any, world: World) -> None:
    brief = BriefPage.objects.get(pk=world.brief.pk)
    brief.title = "Unpublished Yak title"
    brief.save_revision()  # a draft waiting for review; the row stays published
    data = get_json(client, api("brief", slug=brief.slug))
    assert data["title"] == world.brief.title
    assert "Yak" not in json.dumps(get_json(client, api("briefs")))


# --- HTTP ---------------------------------------------------------------------------------


def test_every_answer_has_an_etag_and_a_matching_if_none_match_gets_304(
    client: Any, world: World
) -> None:
    url = api("brief", slug=world.brief.slug)
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    assert first["Cache-Control"] == "public, max-age=60"
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200

    # A change to the brief changes its ETag.
    brief = BriefPage.objects.get(pk=world.brief.pk)
    brief.summary = "A new summary."
    publish(brief)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag

    for other in (api("briefs"), api("openapi-json"), api("guides"), "/api/v1/nowhere/"):
        assert client.get(other)["ETag"]


@pytest.mark.parametrize(
    ("url", "params", "status", "detail"),
    [
        ("briefs", {"colour": "red"}, 400, "Unknown query parameter: colour."),
        ("briefs", {"topics": "x", "sort": "y"}, 400, "Unknown query parameters: sort, topics."),
        ("guides", {"topic": "pakistan"}, 400, "This endpoint accepts: page, per_page."),
        ("briefs", {"page": "abc"}, 400, "page: Input should be a valid integer"),
        ("briefs", {"page": "0"}, 400, "page: Input should be greater than or equal to 1"),
        ("briefs", {"page": "9" * 5000}, 400, "page:"),
        ("briefs", {"page": "999999"}, 404, "There is no page 999999"),
        ("briefs", {"per_page": "101"}, 400, "per_page: Input should be less than or equal"),
        ("briefs", {"date_from": "2010-13-01"}, 400, "date_from:"),
        ("briefs", {"date_to": "yesterday"}, 400, "date_to:"),
        ("briefs", {"type": "Poem"}, 400, "type: Input should be"),
        ("briefs", {"topic": "no-such-topic"}, 404, "No topic guide with slug 'no-such-topic'"),
        ("briefs", {"expert": "nobody"}, 404, "No expert with slug 'nobody'"),
        ("briefs", {"topic": "a\x00b"}, 404, "No topic guide"),
        ("experts", {"page": "2"}, 404, "There is no page 2: there are 1 page(s) of 20."),
    ],
)
def test_bad_input_is_a_clear_400_or_a_404_in_json(
    client: Any, world: World, url: str, params: dict[str, str], status: int, detail: str
) -> None:
    data = get_json(client, api(url), status, **params)
    assert detail in data["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/briefs/no-such-brief/",
        "/api/v1/briefs/%F0%9F%92%A5/",
        "/api/v1/briefs/a%00b/",
        "/api/v1/guides/no-such-guide/",
        "/api/v1/experts/nobody/",
        "/api/v1/sources/999999/",
        "/api/v1/sources/99999999999999999999999/",
        "/api/v1/nowhere/",
        "/api/v2/briefs/",
        "/api/",
    ],
)
def test_an_unknown_address_is_a_json_404(client: Any, world: World, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_non_numeric_source_id_is_a_400(client: Any, world: World) -> None:
    data = get_json(client, "/api/v1/sources/abc/", 400)
    assert data["detail"].startswith("Invalid parameter. id: Input should be a valid integer")


def test_the_api_is_read_only(client: Any, world: World) -> None:
    response = client.post(api("briefs"), {})
    assert response.status_code == 405


# --- the OpenAPI schema -------------------------------------------------------------------


def test_the_openapi_schema_is_valid_and_describes_every_endpoint(
    client: Any, world: World
) -> None:
    from openapi_spec_validator import validate

    schema = get_json(client, api("openapi-json"))
    validate(schema)  # raises on an invalid OpenAPI document
    assert set(schema["paths"]) == {
        "/api/v1/",
        "/api/v1/briefs/",
        "/api/v1/briefs/{slug}/",
        "/api/v1/guides/",
        "/api/v1/guides/{slug}/",
        "/api/v1/experts/",
        "/api/v1/experts/{slug}/",
        "/api/v1/sources/",
        "/api/v1/sources/{id}/",
    }
    briefs = schema["paths"]["/api/v1/briefs/"]["get"]
    assert {p["name"] for p in briefs["parameters"]} == {
        "page", "per_page", "topic", "expert", "type", "date_from", "date_to",
    }  # fmt: skip
    assert {"200", "400", "404"} <= set(briefs["responses"])
    # No interactive docs page (its CDN scripts and inline code break the site's CSP).
    assert client.get("/api/v1/docs").status_code == 404


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The site as a WSGI application, for schemathesis, that keeps the test's database
    connection between requests (as Django's test client does): the module's data lives in a
    transaction that closing the connection would throw away."""
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_generated_requests_never_get_a_server_error_and_answers_match_the_schema(
    world: World, wsgi_app: Any
) -> None:
    """Property-based: schemathesis generates valid and invalid requests for every operation
    (and valid ones for the details of things that exist); no answer may be a 5xx, have an
    undocumented status or content type, or disagree with the response schema."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.result import Ok
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    existing = {
        "/api/v1/briefs/{slug}/": {"slug": world.brief.slug},
        "/api/v1/guides/{slug}/": {"slug": world.topic.slug},
        "/api/v1/experts/{slug}/": {"slug": world.author.slug},
        "/api/v1/sources/{id}/": {"id": world.cable.pk},
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    strategies = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        strategies.append((operation.label, operation.as_strategy()))
        # Any string is a valid slug (an unknown one is a 404), and the index takes nothing:
        # there is no invalid request to make to those.
        if operation.path != "/api/v1/" and "{slug}" not in operation.path:
            negative = operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
            strategies.append((f"{operation.label} (invalid)", negative))
        if operation.path in existing:
            found = operation.as_strategy(path_parameters=existing[operation.path])
            strategies.append((f"{operation.label} (existing)", found))
    statuses: set[int] = set()

    for label, strategy in strategies:

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def answers_well(case: Any) -> None:
            response = case.call()
            statuses.add(response.status_code)
            case.validate_response(response, checks=checks)

        try:
            answers_well()
        except Exception as exc:
            exc.add_note(f"while testing {label}")
            raise
    assert {200, 400, 404} <= statuses


# Examples per strategy (18 strategies): enough to reach every parameter's edge cases while
# the whole module stays within seconds.
EXAMPLES = 8
