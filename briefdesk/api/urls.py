"""/api/: the read API, one version per prefix (api/v1.py); any other address under /api/ is
a JSON 404, not the site's HTML page."""

from django.urls import path, re_path

from .http import not_found
from .v1 import api as v1

urlpatterns = [
    path("v1/", v1.urls),
    re_path(r"^", not_found, name="api_not_found"),
]
