"""System checks for the PDF settings, so a typo shows in `briefdesk manage check` rather than
as readers' failed downloads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_pdf_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from weasyprint.pdf import VARIANTS

    from .pdf import PAGE_SIZES

    errors = []
    if settings.BRIEFDESK_PDF_PAGE_SIZE.lower() not in PAGE_SIZES:
        errors.append(
            Error(
                f"BRIEFDESK_PDF_PAGE_SIZE is {settings.BRIEFDESK_PDF_PAGE_SIZE!r}",
                hint=f"Use one of: {', '.join(PAGE_SIZES.values())}.",
                id="briefs.E001",
            )
        )
    variant = settings.BRIEFDESK_PDF_VARIANT
    if variant and variant not in VARIANTS:
        errors.append(
            Error(
                f"BRIEFDESK_PDF_VARIANT is {variant!r}",
                hint=f"Use one of: {', '.join(VARIANTS)}, or empty for plain PDF.",
                id="briefs.E002",
            )
        )
    return errors
