"""`{% review_comparisons obj revision url_name as review %}`: the comparisons a reviewer of
`revision` is offered (briefdesk.core.revisions), for the admin's review templates."""

from __future__ import annotations

from typing import Any

from django import template
from wagtail.models import Revision

from briefdesk.core.revisions import ReviewComparisons, review_comparisons

register = template.Library()


@register.simple_tag(takes_context=True, name="review_comparisons")
def review_comparisons_tag(
    context: Any, obj: Any, revision: Revision | None, compare_url_name: str
) -> ReviewComparisons:
    if obj is None or revision is None or not compare_url_name:
        return ReviewComparisons()
    return review_comparisons(obj, revision, context.get("request"), compare_url_name)
