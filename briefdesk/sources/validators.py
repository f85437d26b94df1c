from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible

from . import csl


def validate_partial_date(value: str) -> None:
    """A CSL partial date as editors type it: YYYY, YYYY-MM or YYYY-MM-DD."""
    if value:
        try:
            csl.parse_partial_date(value)
        except csl.InvalidDate as exc:
            raise ValidationError(str(exc)) from None


# Deconstructs as Django's own URLValidator(schemes=[...]) so migrations see no change.
@deconstructible(path="django.core.validators.URLValidator")
class WebURLValidator(URLValidator):
    """http(s) only, added beside a URLField's own URLValidator without repeating it.

    A URLField already runs URLValidator(); a second full check would report "Enter a valid
    URL." twice for the same bad value. This one stays silent when the value is not a URL at
    all (the field's own validator has said so) and speaks only for a URL whose scheme is not
    http or https."""

    def __call__(self, value: Any) -> None:
        try:
            URLValidator()(value)
        except ValidationError:
            return
        super().__call__(value)


validate_web_url = WebURLValidator(schemes=["http", "https"])
