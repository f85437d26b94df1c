"""Citing selected text used to wrap the words in the citation, and the page then showed only
"(LABEL)" in their place. A citation is now a token after the words; this moves the words of
older citations out, in every brief's live body and Additional Analysis and in every revision
of a brief (drafts, history, what "Compare" shows), so readers get every word written.

Idempotent: a citation that holds only a label is left alone. A citation of a source that no
longer exists keeps its text. Not reversed (the old form lost the words on the page)."""

import json

from django.db import migrations

from briefdesk.sources.kinds import KIND_LABELS
from briefdesk.sources.richtext import split_cited_text

MARKERS = ('linktype="source"', 'linktype=\\"source\\"')
FIELDS = ("body", "additional_analysis")


def source_labels(Source):
    """Every source id -> the labels it could show, the one it shows now first (the rule of
    Source.parenthetical_label, which a historical model does not have)."""
    labels = {}
    for source in Source.objects.select_related("outlet").iterator():
        outlet = source.outlet
        outlet_label = (outlet.short_label or outlet.name) if outlet else ""
        kind = KIND_LABELS.get(source.kind, "")
        if source.label:
            shown = source.label
        elif source.medium.strip().upper() == "PDF":
            shown = "PDF"
        else:
            shown = outlet_label or source.publisher or source.container_title or kind
        candidates = [
            shown,
            source.label,
            "PDF",
            outlet.short_label if outlet else "",
            outlet.name if outlet else "",
            source.publisher,
            source.container_title,
            kind,
        ]
        labels[source.pk] = [c for c in candidates if c and c.strip()]
    return labels


def rewrite(value, labels):
    """Split cited words in every string of this JSON-like value that holds a citation; a
    string that is itself JSON (stream data inside a revision) is walked and dumped again."""
    if isinstance(value, dict):
        return {key: rewrite(item, labels) for key, item in value.items()}
    if isinstance(value, list):
        return [rewrite(item, labels) for item in value]
    if not isinstance(value, str) or not any(marker in value for marker in MARKERS):
        return value
    if value.lstrip()[:1] in ("[", "{"):
        try:
            data = json.loads(value)
        except ValueError:
            pass
        else:
            new = rewrite(data, labels)
            return value if new == data else json.dumps(new)
    return split_cited_text(value, labels)


def split_cited_words(apps, schema_editor):
    BriefPage = apps.get_model("briefs", "BriefPage")
    Source = apps.get_model("sources", "Source")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    labels = source_labels(Source)

    for page in BriefPage.objects.only("pk", *FIELDS).iterator():
        changes = {}
        for name in FIELDS:
            raw = list(getattr(page, name).raw_data)
            new = rewrite(raw, labels)
            if new != raw:
                changes[name] = new
        if changes:
            BriefPage.objects.filter(pk=page.pk).update(**changes)

    brief_type = ContentType.objects.filter(app_label="briefs", model="briefpage").first()
    if brief_type is None:
        return
    revisions = Revision.objects.filter(content_type=brief_type).only("pk", "content")
    for revision in revisions.iterator():
        new = rewrite(revision.content, labels)
        if new != revision.content:
            Revision.objects.filter(pk=revision.pk).update(content=new)


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0005_private_pdf_storage"),
        ("sources", "0002_drafts_and_review"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(split_cited_words, migrations.RunPython.noop, elidable=True),
    ]
