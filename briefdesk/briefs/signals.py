"""Keep stored brief citations true when an author's name changes."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from wagtail.signals import page_published

from .models import AuthorPage, BriefPage


@receiver(page_published, sender=AuthorPage)
def reformat_author_briefs(sender: type[AuthorPage], instance: AuthorPage, **kwargs: Any) -> None:
    for brief in BriefPage.objects.filter(brief_authors__author=instance).distinct():
        brief.refresh_citations()
        BriefPage.objects.filter(pk=brief.pk).update(citations=brief.citations)
