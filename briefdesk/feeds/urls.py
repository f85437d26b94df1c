"""/feeds/: the feeds index, then each feed as /feeds/<where>/<format>/ (views.py):

/feeds/rss/  /feeds/atom/  /feeds/json/              the whole site
/feeds/topics/<guide path>/rss/                       a topic guide (/topics/<guide path>/)
/feeds/experts/<slug>/atom/                           an expert (/authors/<slug>/)
/feeds/types/<type>/json/                             a brief type (analysis-brief, op-ed, …)
"""

from django.urls import path, register_converter

from . import views


class FeedFormat:
    regex = "rss|atom|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FeedFormat, "feed_format")

app_name = "feeds"

urlpatterns = [
    path("", views.index, name="index"),
    path("<feed_format:fmt>/", views.site_feed, name="site"),
    path("topics/<path:key>/<feed_format:fmt>/", views.topic_feed, name="topic"),
    path("experts/<str:key>/<feed_format:fmt>/", views.expert_feed, name="expert"),
    path("types/<slug:key>/<feed_format:fmt>/", views.type_feed, name="type"),
]
