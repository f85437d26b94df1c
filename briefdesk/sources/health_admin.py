"""The "Source health" report in the admin: what the latest check of each source's link found.

Counts by state, then a table of sources (state, when checked, where a redirect leads, the
briefs citing each), filtered by state, with a "Re-check" button per source and one for every
source shown. Editors only (those who may publish sources: `sources.publish_source`); the
check is asked on the server for every request, GET and POST. A re-check runs through the task
queue (`check_source_task`): at once with the immediate backend, later with the database one.
"Capture now" (capture_admin.py) queues a capture of one source's page the same way.

The page costs a fixed number of queries: the counts, the page of sources with their latest
check (subqueries), and the briefs citing them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, OuterRef, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from briefdesk.briefs.models import BriefSource

from .linkhealth import (
    check_source_task,
    checkable,
    latest_check_subquery,
    latest_snapshot_subquery,
)
from .models import LinkState, Source
from .views import public_sources

if TYPE_CHECKING:
    import datetime as dt

    from django_stubs_ext import WithAnnotations

    class _Checks(TypedDict):
        snapshot_id: int | None
        snapshot_at: dt.datetime | None
        is_public: bool
        link_state: str | None
        link_checked_at: dt.datetime | None
        link_status: int | None
        link_target: str | None
        link_permanent: bool | None
        link_detail: str | None

    # Sources with their latest link check and snapshot (health_queryset).
    Checked = WithAnnotations[Source, _Checks]

PERMISSION = "sources.publish_source"
UNCHECKED = "unchecked"
PER_PAGE = 50
# States that want an editor's eye first, in the order the counts show them.
STATE_ORDER = [
    LinkState.GONE,
    LinkState.UNREACHABLE,
    LinkState.DRIFTED,
    LinkState.SOFT_404,
    LinkState.SERVER_ERROR,
    LinkState.BLOCKED,
    LinkState.REDIRECTED,
    LinkState.OK,
]
MAX_BULK_RECHECK = 500


def can_see_health(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(PERMISSION))


class SourceHealthMenuItem(MenuItem):
    """Shown under Reports to those who may open the report."""

    def is_shown(self, request: HttpRequest) -> bool:
        return can_see_health(request.user)


def health_queryset() -> QuerySet[Checked]:
    """Checkable sources with their latest check's fields (`link_*`; None when unchecked), their
    latest usable snapshot (`snapshot_id`, `snapshot_at`) and whether readers may open it
    (`is_public`): all subqueries, so the page's query count does not grow with its rows."""
    return checkable(Source.objects.select_related("outlet")).annotate(
        snapshot_id=latest_snapshot_subquery("pk"),
        snapshot_at=latest_snapshot_subquery("captured_at"),
        is_public=Exists(public_sources().filter(pk=OuterRef("pk"))),
        link_state=latest_check_subquery("state"),
        link_checked_at=latest_check_subquery("checked_at"),
        link_status=latest_check_subquery("status"),
        link_target=latest_check_subquery("target"),
        link_permanent=latest_check_subquery("permanent"),
        link_detail=latest_check_subquery("detail"),
    )


def _filtered(queryset: QuerySet[Checked], state: str) -> QuerySet[Checked]:
    if state == UNCHECKED:
        # django-stubs checks `__isnull` on an annotation against the annotation's type.
        return queryset.filter(link_state__isnull=True)  # type: ignore[misc]
    if state:
        return queryset.filter(link_state=state)
    return queryset


def _state_param(request: HttpRequest, data: Any) -> str:
    state = data.get("state", "")
    return state if state in {*LinkState.values, UNCHECKED} else ""


@require_http_methods(["GET", "HEAD"])
def source_health(request: HttpRequest) -> HttpResponse:
    if not can_see_health(request.user):
        raise PermissionDenied
    state = _state_param(request, request.GET)
    queryset = health_queryset()
    counted = dict(
        queryset.order_by()
        .values_list("link_state")
        .annotate(n=Count("pk"))
        .values_list("link_state", "n")
    )
    labels = dict(LinkState.choices)
    counts = [
        {"state": s.value, "label": labels[s.value], "count": counted.get(s.value, 0)}
        for s in STATE_ORDER
    ]
    counts.append({"state": UNCHECKED, "label": "Not checked yet", "count": counted.get(None, 0)})
    # Problems first (in STATE_ORDER), unchecked last; by title within a state.
    rank = Case(
        *(When(link_state=s.value, then=Value(i)) for i, s in enumerate(STATE_ORDER)),
        default=Value(len(STATE_ORDER)),
    )
    listed = _filtered(queryset, state).annotate(rank=rank).order_by("rank", "title", "pk")
    paginator = Paginator(listed, PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    sources = list(page.object_list)
    citing: dict[int, list[Any]] = defaultdict(list)
    for link in (
        BriefSource.objects.filter(source_id__in=[s.pk for s in sources])
        .select_related("page")
        .only("source_id", "page__id", "page__title", "page__live")
        .order_by("page__title")
    ):
        citing[link.source_id].append(link.page)
    rows = [
        {
            "source": source,
            "state": source.link_state or UNCHECKED,
            "label": labels.get(source.link_state, "Not checked yet"),
            "briefs": [
                (brief, reverse("wagtailadmin_pages:edit", args=[brief.pk]))
                for brief in citing[source.pk]
            ],
            "edit_url": reverse("wagtailsnippets_sources_source:edit", args=[source.pk]),
            "snapshot_url": (
                reverse("sources:archive", args=[source.pk, source.snapshot_id])
                if source.snapshot_id and source.is_public
                else ""
            ),
        }
        for source in sources
    ]
    return TemplateResponse(
        request,
        "sources/admin/health.html",
        {
            "counts": counts,
            "total": sum(c["count"] for c in counts),
            "state": state,
            "state_label": labels.get(state, "Not checked yet" if state else ""),
            "rows": rows,
            "page": page,
            "paginator": paginator,
            "query": urlencode({"state": state}) if state else "",
        },
    )


@require_POST
def source_health_recheck(request: HttpRequest) -> HttpResponse:
    """Re-check one source (`source`) or every source in a state (`state`, "" for all)."""
    if not can_see_health(request.user):
        raise PermissionDenied
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    back = back or reverse("source_health")
    raw = request.POST.get("source", "")
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            messages.error(request, "No such source.")
            return HttpResponseRedirect(back)
        ids = list(checkable(Source.objects.filter(pk=int(raw))).values_list("pk", flat=True))
        if not ids:
            messages.error(request, "That source has no web link to check.")
            return HttpResponseRedirect(back)
    else:
        state = _state_param(request, request.POST)
        ids = list(
            _filtered(health_queryset(), state)
            .order_by("pk")
            .values_list("pk", flat=True)[:MAX_BULK_RECHECK]
        )
    for source_id in ids:
        check_source_task.enqueue(source_id)
    noun = "link" if len(ids) == 1 else "links"
    messages.success(request, f"Re-check of {len(ids)} {noun} started; results appear below.")
    return HttpResponseRedirect(back)
