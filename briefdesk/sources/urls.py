from django.urls import path

from . import archive_views, views

app_name = "sources"
urlpatterns = [
    path("", views.source_index, name="index"),
    path("<int:pk>/", views.source_detail, name="detail"),
    path("<int:pk>/cite.<str:fmt>", views.source_cite_file, name="cite_file"),
    path("<int:pk>/archive.wacz", archive_views.source_wacz, name="wacz"),
    path(
        "<int:pk>/archive/<int:snapshot_id>/",
        archive_views.snapshot_archived,
        name="archive",
    ),
    path(
        "<int:pk>/archive/<int:snapshot_id>/raw/",
        archive_views.snapshot_raw,
        name="archive_raw",
    ),
    path(
        "<int:pk>/archive/<int:snapshot_id>/document/",
        archive_views.snapshot_document,
        name="archive_document",
    ),
    path(
        "<int:pk>/archive/<int:snapshot_id>/warc/",
        archive_views.snapshot_warc,
        name="archive_warc",
    ),
]
