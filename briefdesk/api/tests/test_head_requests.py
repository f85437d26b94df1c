"""The read API answers HEAD as GET: on every GET endpoint the OpenAPI document lists, the
same status and headers (ETag, Content-Type, Content-Length, Cache-Control) without a body,
304 to a matching If-None-Match, and the same 400/404 for bad input. Other methods are still
refused, and the OpenAPI document stays valid and lists GET only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from tests.db import rolled_back
from tests.factories import SourceFactory, cite, make_author, make_brief, make_site_tree, make_topic

pytestmark = pytest.mark.django_db

# The headers a HEAD must share with the GET it stands for.
SHARED = ("ETag", "Content-Type", "Content-Length", "Cache-Control")


@pytest.fixture(scope="module")
def urls(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[str]]:
    """Every GET endpoint of the OpenAPI document, its path parameters naming things that
    exist, and the document itself."""
    from django.test import Client

    with rolled_back(django_db_blocker):
        tree = make_site_tree()
        author = make_author(tree)
        topic = make_topic(tree, "Pakistan")
        source = SourceFactory()
        brief = make_brief(
            tree,
            authors=[author],
            topics=[topic],
            body=[("paragraph", f"<p>Claim {cite(source)}.</p>")],
        )
        openapi = reverse("api-v1:openapi-json")
        schema = Client().get(openapi).json()
        values = {"slug": {"briefs": brief.slug, "guides": topic.slug, "experts": author.slug}}
        found = [openapi]
        for path in schema["paths"]:
            kind = path.split("/")[3] if path.count("/") > 3 else ""
            found.append(
                path.replace("{slug}", values["slug"].get(kind, "")).replace("{id}", str(source.pk))
            )
        yield found


def test_the_openapi_document_lists_every_endpoint_with_get_only(
    client: Any, urls: list[str]
) -> None:
    from openapi_spec_validator import validate

    schema = client.get(reverse("api-v1:openapi-json")).json()
    validate(schema)  # raises on an invalid OpenAPI document

    assert len(urls) == len(schema["paths"]) + 1 > 5
    assert {method for item in schema["paths"].values() for method in item} == {"get"}


def test_a_head_on_every_get_endpoint_answers_as_the_get_without_a_body(
    client: Any, urls: list[str]
) -> None:
    for url in urls:
        got = client.get(url)
        head = client.head(url)

        assert got.status_code == 200, url
        assert head.status_code == 200, url
        assert head.content == b""
        assert {h: head.get(h) for h in SHARED} == {h: got.get(h) for h in SHARED}, url


def test_a_head_naming_the_current_etag_gets_304(client: Any, urls: list[str]) -> None:
    for url in urls:
        etag = client.get(url)["ETag"]

        response = client.head(url, headers={"If-None-Match": etag})

        assert response.status_code == 304, url
        assert response["ETag"] == etag
        assert response.content == b""


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"colour": "red"}, 400),  # an unknown parameter
        ({"page": "abc"}, 400),  # a value the schema refuses
        ({"topic": "nowhere"}, 404),  # a value naming nothing
        ({"page": "99"}, 404),  # past the last page
    ],
)
def test_a_head_with_bad_input_gets_the_gets_status_and_etag(
    client: Any, urls: list[str], query: dict[str, str], status: int
) -> None:
    url = reverse("api-v1:briefs")
    got = client.get(url, query)
    head = client.head(url, query)

    assert (head.status_code, got.status_code) == (status, status)
    assert head["ETag"] == got["ETag"]
    assert head["Content-Type"] == got["Content-Type"] == "application/json; charset=utf-8"


def test_a_head_on_an_unknown_slug_is_the_same_404(client: Any, urls: list[str]) -> None:
    url = reverse("api-v1:brief", kwargs={"slug": "no-such-brief"})

    assert client.head(url).status_code == client.get(url).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_methods_are_still_refused_naming_get_and_head(
    client: Any, urls: list[str], method: str
) -> None:
    response = getattr(client, method)(reverse("api-v1:briefs"))

    assert response.status_code == 405
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "HEAD"}
