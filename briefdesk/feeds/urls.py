"""SKELETON (issue 12, feeds): /feeds/… routes."""

urlpatterns: list = []
