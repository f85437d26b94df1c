"""`briefdesk manage init_site` (run by `briefdesk init`): a freshly migrated database becomes
a briefdesk site — the home page, the Briefs, Authors and Topic guides indexes, the Site on
the base URL, no Wagtail welcome page — and running it again changes nothing.
`site_problem()` says in one line when the tree is not set up."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from wagtail.models import Page, PageLogEntry, Revision, Site

from briefdesk.briefs.models import AuthorIndexPage, BriefIndexPage
from briefdesk.core.models import HomePage
from briefdesk.core.site_tree import site_problem
from briefdesk.topics.models import TopicIndexPage
from tests.factories import make_brief, make_site_tree

pytestmark = pytest.mark.django_db

WELCOME = "Welcome to your new Wagtail site!"
BASE_URL = "http://127.0.0.1:8000"  # the test settings' BRIEFDESK_BASE_URL


@pytest.fixture(autouse=True)
def _no_cached_site_root_paths() -> Any:
    # Other tests' rolled-back Sites must not be what Wagtail builds URLs from here.
    cache.clear()
    yield
    cache.clear()


def init_site() -> list[str]:
    out = io.StringIO()
    call_command("init_site", stdout=out)
    return out.getvalue().splitlines()


def snapshot() -> dict[str, Any]:
    """Everything init_site could write."""
    return {
        "pages": sorted(
            Page.objects.values_list(
                "pk", "path", "slug", "title", "content_type_id", "live", "latest_revision_id"
            )
        ),
        "sites": sorted(
            Site.objects.values_list("pk", "hostname", "port", "root_page_id", "is_default_site")
        ),
        "revisions": Revision.objects.count(),
        "log": PageLogEntry.objects.count(),
    }


# --- a freshly migrated database ---------------------------------------------------------


def test_a_freshly_migrated_database_has_wagtails_welcome_page_and_site_problem_says_so() -> None:
    assert Page.objects.filter(title=WELCOME).exists()

    assert site_problem() == (
        "the site is not set up (Wagtail's welcome page is the home page): run briefdesk init"
    )


def test_it_builds_the_home_page_three_published_indexes_and_the_site(client: Any) -> None:
    lines = init_site()

    assert lines == [
        "Created the home page.",
        "Created the Briefs index at /briefs/.",
        "Created the Authors index at /authors/.",
        "Created the Topic guides index at /topics/.",
        "The site's home page is now the briefdesk home page.",
        f"Deleted Wagtail's placeholder page {WELCOME!r}.",
    ]
    home = HomePage.objects.get()
    site = Site.objects.get()
    assert (site.root_page_id, site.is_default_site) == (home.pk, True)
    assert site.root_url == BASE_URL
    for model, slug in ((BriefIndexPage, "briefs"), (AuthorIndexPage, "authors")):
        index = model.objects.get()
        assert (index.slug, index.live, index.get_parent().pk) == (slug, True, home.pk)
    assert TopicIndexPage.objects.get().live
    assert not Page.objects.filter(title=WELCOME).exists()
    assert site_problem() is None


def test_after_it_the_home_page_and_indexes_answer_200_and_the_welcome_page_is_gone(
    client: Any,
) -> None:
    init_site()

    home = client.get("/")
    assert home.status_code == 200
    assert "No briefs are published yet." in home.content.decode()  # the front page, empty
    assert WELCOME not in home.content.decode()
    for url in ("/briefs/", "/authors/", "/topics/"):
        assert client.get(url).status_code == 200, url


def test_after_it_the_sitemap_lists_the_indexes_on_the_base_urls_host(client: Any) -> None:
    init_site()

    sitemap = client.get("/sitemap.xml").content.decode()

    for path in ("/", "/briefs/", "/authors/", "/topics/"):
        assert f"<loc>{BASE_URL}{path}</loc>" in sitemap, path
    assert "localhost" not in sitemap


def test_after_it_a_superuser_reaches_the_admin_and_its_page_explorer(client: Any) -> None:
    init_site()
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x-pass-1")
    client.force_login(admin)

    assert client.get("/admin/").status_code == 200
    home = HomePage.objects.get()
    assert client.get(f"/admin/pages/{home.pk}/").status_code == 200


def test_running_it_twice_builds_the_same_tree_and_the_second_run_changes_nothing() -> None:
    init_site()
    before = snapshot()

    assert init_site() == ["The site is already set up."]
    assert snapshot() == before


def test_it_empties_the_cache_so_an_upgrade_rebuilds_what_an_older_version_cached() -> None:
    cache.set("left-by-the-old-version", "stale", 3600)

    init_site()

    assert cache.get("left-by-the-old-version") is None


# --- an existing site --------------------------------------------------------------------


def test_on_a_site_that_exists_it_keeps_every_page_and_moves_the_site_to_the_base_url(
    site_tree: Any,
) -> None:
    brief = make_brief(site_tree)
    editors_pages = Page.objects.exclude(title=WELCOME).exclude(depth=1)
    pages_before = sorted(editors_pages.values_list("pk", "path", "title", "latest_revision_id"))

    lines = init_site()

    assert lines == [
        "The site now answers on 127.0.0.1:8000 (BRIEFDESK_BASE_URL).",
        f"Deleted Wagtail's placeholder page {WELCOME!r}.",
    ]
    assert sorted(editors_pages.values_list("pk", "path", "title", "latest_revision_id")) == (
        pages_before
    )
    assert Page.objects.filter(pk=brief.pk).exists()


def test_a_missing_index_is_added_beside_the_others() -> None:
    tree = make_site_tree()
    tree.topics.delete()
    assert site_problem() == "the site has no /topics/ index: run briefdesk init"

    assert "Created the Topic guides index at /topics/." in init_site()
    assert TopicIndexPage.objects.child_of(tree.home).get().slug == "topics"
    assert site_problem() is None


def test_a_renamed_index_is_kept_under_its_new_slug() -> None:
    tree = make_site_tree()
    tree.briefs.slug = "analysis"
    tree.briefs.save_revision().publish()

    init_site()

    assert list(BriefIndexPage.objects.values_list("slug", flat=True)) == ["analysis"]


def test_a_page_with_an_index_slug_in_the_way_stops_it_with_a_one_line_reason() -> None:
    tree = make_site_tree()
    tree.topics.delete()
    tree.home.add_child(instance=Page(title="Topics", slug="topics"))

    with pytest.raises(CommandError, match=r"^a page with the slug 'topics' is in the way"):
        init_site()


def test_a_plain_page_with_children_is_never_deleted() -> None:
    root = Page.get_first_root_node()
    welcome = Page.objects.get(title=WELCOME)
    welcome.add_child(instance=Page(title="Kept", slug="kept"))

    init_site()

    assert Page.objects.filter(pk=welcome.pk).exists()
    assert Page.objects.child_of(root).count() == 2  # the welcome page and the home page


# --- site_problem --------------------------------------------------------------------------


def test_site_problem_without_a_default_site_says_so() -> None:
    init_site()
    Site.objects.all().delete()

    assert site_problem() == "the site is not set up (there is no default site): run briefdesk init"


def test_site_problem_when_the_site_points_at_another_page_type_names_the_page() -> None:
    tree = make_site_tree()
    Site.objects.filter(is_default_site=True).update(root_page=tree.briefs)

    assert site_problem() == (
        "the site's home page 'Briefs' is not a briefdesk home page: run briefdesk init"
    )


def test_site_problem_takes_at_most_three_queries(django_assert_max_num_queries: Any) -> None:
    init_site()

    with django_assert_max_num_queries(3):
        assert site_problem() is None
