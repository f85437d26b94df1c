from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from briefdesk.briefs import views as brief_views
from briefdesk.core import health, media
from briefdesk.core import views as core_views
from briefdesk.feeds.sitemaps import URLSET_XML, PageSitemap
from briefdesk.search import views as search_views
from briefdesk.sources import urls as source_urls
from briefdesk.sources.sitemaps import SourceSitemap

urlpatterns = [
    # For load balancers and monitors: no session, no cache, JSON.
    path("healthz", health.healthz, name="healthz"),
    # Public uploads (images); documents go through Wagtail's /documents/ view, which checks.
    path("media/<path:path>", media.serve_media, name="media"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("feeds/", include("briefdesk.feeds.urls")),
    path("api/", include("briefdesk.api.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("sources/", include(source_urls)),
    path(
        "briefs/<slug:slug>/cite.<str:fmt>",
        brief_views.brief_cite_file,
        name="brief_cite_file",
    ),
    path("briefs/<slug:slug>/pdf/", brief_views.brief_pdf, name="brief_pdf"),
    # The pages (feeds/sitemaps.py: Wagtail's, listings dated by their briefs), then the
    # source pages (sources/sitemaps.py).
    path(
        "sitemap.xml",
        sitemap,
        {
            "sitemaps": {"pages": PageSitemap, "sources": SourceSitemap},
            "template_name": URLSET_XML,  # Django's sitemap.xml, written without the engine
        },
    ),
]

urlpatterns += [path("", include(wagtail_urls))]

# The 500 page renders without the database or the request's context (core/views.py).
handler500 = "briefdesk.core.views.server_error"
