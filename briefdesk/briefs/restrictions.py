"""A page's view restrictions in one query, asked once per request.

Wagtail checks them before serving every page (its `check_view_restrictions` hook calls
`page.get_view_restrictions()`), in two queries: the ancestors' alias ids, then the
restrictions. `OneQueryViewRestrictionsMixin` answers the same question in one, and keeps the
answer on the page object, which lives for one request, so the page's own rendering can ask
"is this page private?" again without a query (`briefs.rendering`: a private brief's sources
get no public page).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.functions import Coalesce
from wagtail.models import Page, PageViewRestriction


class OneQueryViewRestrictionsMixin:
    """For a Page subclass: `get_view_restrictions()` as Wagtail's, in one query.

    Same answer as Wagtail's: the restrictions on the page and its ancestors, where an alias
    (the page or an ancestor) counts as its source page. Caveat: the queryset is built once per
    page object and its rows are read once; a restriction added through another object in the
    same request is not seen by this one (Wagtail's admin changes them in their own requests).
    """

    def get_view_restrictions(self) -> Any:
        cached = self.__dict__.get("_view_restrictions")
        if cached is not None:
            return cached
        page: Any = self
        steplen = Page.steplen
        ancestor_paths = [page.path[:end] for end in range(steplen, len(page.path), steplen)]
        own = page.alias_of_id or page.pk
        # An ancestor that is an alias is checked as its source page (Wagtail allows no alias
        # of an alias, so one step is all there is).
        ancestors = Page.objects.filter(path__in=ancestor_paths).values(
            checked=Coalesce("alias_of_id", "id")
        )
        restrictions = PageViewRestriction.objects.filter(Q(page_id=own) | Q(page_id__in=ancestors))
        self.__dict__["_view_restrictions"] = restrictions
        return restrictions
