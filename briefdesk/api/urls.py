"""SKELETON (issue 12, read API): /api/… routes."""

urlpatterns: list = []
