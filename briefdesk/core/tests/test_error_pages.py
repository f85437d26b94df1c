"""The 404 and 500 pages: styled and useful; the 500 page needs neither the database nor the
request's context, and falls back to plain text if even its template fails."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path

from briefdesk import urls as site_urls
from briefdesk.core import views
from tests.factories import make_site_tree

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_styled_404_with_a_search_box_and_no_urlconf(client: Any) -> None:
    make_site_tree()

    response = client.get("/no/such/page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert '<form class="search-form error-page__search" role="search" action="/search/"' in html
    assert '<a href="/briefs/">All briefs</a>' in html
    assert 'href="/static/briefdesk/site.css"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "URLconf" not in html and "urlpatterns" not in html


def test_the_500_page_renders_without_touching_the_database() -> None:
    request = RequestFactory().get("/briefs/anything/")

    with CaptureQueriesContext(connections["default"]) as queries:
        response = views.server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>Something went wrong on our side</h1>" in html
    assert 'href="/static/briefdesk/site.css"' in html
    assert len(queries.captured_queries) == 0


def test_the_500_page_is_plain_text_when_its_template_cannot_render(settings: Any) -> None:
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False, "OPTIONS": {}},
    ]

    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == views.PLAIN_500


def boom(request: Any) -> Any:
    raise RuntimeError("a view failed")


# The site's URLs plus one view that fails, with the site's own 500 handler.
urlpatterns = [path("boom/", boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500


def test_an_exception_in_a_view_gives_the_styled_500_page(client: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
