"""Briefs get a series number ("Analysis Brief No. 2010-37"), printed on the page, in the PDF
and in their citations. Briefs already published are numbered here, year by year in order of
publication date; later ones are numbered when they first go live (BriefPage.save).

Stored citations are made when a brief is saved: run `briefdesk reformat-citations` once after
this migration so they print the numbers.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def number_published_briefs(apps: Any, schema_editor: Any) -> None:
    BriefPage = apps.get_model("briefs", "BriefPage")
    counts: dict[int, int] = {}
    briefs = (
        BriefPage.objects.filter(live=True, number="", date__isnull=False)
        .order_by("date", "first_published_at", "pk")
        .only("pk", "date")
    )
    for brief in briefs:
        year = brief.date.year
        counts[year] = counts.get(year, 0) + 1
        BriefPage.objects.filter(pk=brief.pk).update(number=f"{year:04d}-{counts[year]}")


class Migration(migrations.Migration):
    dependencies = [
        ("briefs", "0008_brief_verbose_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="briefpage",
            name="number",
            field=models.CharField(
                blank=True,
                help_text="Printed as “<type> No. <number>” (e.g. “Analysis Brief No. 2026-7”) "
                "on the page, in the PDF and in every citation. Filled automatically on first "
                "publication (the year, then the brief's place among that year's briefs); you "
                "can change it.",
                max_length=20,
                verbose_name="series number",
            ),
        ),
        migrations.AddConstraint(
            model_name="briefpage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("number", ""), _negated=True),
                fields=("number",),
                name="unique_brief_series_number",
                violation_error_code="unique",
                violation_error_message="Another brief already has this series number.",
            ),
        ),
        migrations.RunPython(number_published_briefs, migrations.RunPython.noop),
    ]
