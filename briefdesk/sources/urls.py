from django.urls import path

from . import views

app_name = "sources"
urlpatterns = [
    path("", views.source_index, name="index"),
    path("<int:pk>/", views.source_detail, name="detail"),
    path("<int:pk>/cite.<str:fmt>", views.source_cite_file, name="cite_file"),
]
