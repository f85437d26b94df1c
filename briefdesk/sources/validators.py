from __future__ import annotations

from django.core.exceptions import ValidationError

from . import csl


def validate_partial_date(value: str) -> None:
    """A CSL partial date as editors type it: YYYY, YYYY-MM or YYYY-MM-DD."""
    if value:
        try:
            csl.parse_partial_date(value)
        except csl.InvalidDate as exc:
            raise ValidationError(str(exc)) from None
