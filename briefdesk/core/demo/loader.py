"""Load the demo content (content.json, written for this project) idempotently: records are
matched by slug or key, so running it twice changes nothing and adds nothing.

    report = load_demo()    # content, then snapshots and link checks from local copies

The content goes in first, in one transaction, with capture-on-publish switched off for the
run (`sources.archiving.capture_on_publish_paused`): that hook would fetch the invented URLs
from the real sites.
Then snapshots.archive_demo captures every demo source from the demo's own local copies and
checks their links, so the demo shows snapshots, link health and quote checks for real.
One brief ("in_review") is left a draft submitted to the editors' workflow, for moderation.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.models import Page
from wagtail.rich_text import RichText

from briefdesk.briefs.models import (
    AuthorIndexPage,
    AuthorPage,
    BriefAuthor,
    BriefIndexPage,
    BriefPage,
    BriefRelatedPin,
    BriefTopic,
)
from briefdesk.briefs.related_store import rebuild_related
from briefdesk.core.models import HomePage
from briefdesk.core.origin import sync_origin
from briefdesk.core.roles import AUTHORS, EDITORS
from briefdesk.core.site_tree import ensure_site
from briefdesk.search import sync as search_sync
from briefdesk.sources.archiving import capture_on_publish_paused
from briefdesk.sources.models import Outlet, Source
from briefdesk.topics.models import TopicGuidePage, TopicIndexPage

from .charts import Bar, _font, bar_chart_png
from .front import load_front
from .markup import to_db_html
from .snapshots import archive_demo

CONTENT = Path(__file__).with_name("content.json")
DEMO_PASSWORD = "briefdesk-demo"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _child(parent: Page, model: type[Page], slug: str, **values: Any) -> tuple[Page, bool]:
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing, False
    page = model(slug=slug, **values)
    parent.add_child(instance=page)
    _publish(page)
    return page, True


def _home() -> tuple[HomePage, BriefIndexPage, AuthorIndexPage, TopicIndexPage]:
    """The same home page and indexes `briefdesk init` builds (site_tree), with the demo's
    tagline on a home page this run created."""
    report = ensure_site()
    home = HomePage.objects.get(pk=report.home_id)
    if "Created the home page." in report.changes:
        home.tagline = "Analysis of the news"
        _publish(home)
    return (
        home,
        BriefIndexPage.objects.get(pk=report.briefs_id),
        AuthorIndexPage.objects.get(pk=report.authors_id),
        TopicIndexPage.objects.get(pk=report.topics_id),
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def load_demo(content_path: Path = CONTENT) -> LoadReport:
    """Load the demo (see the module docstring); raises KeyError or ValueError on invalid
    content, with nothing of it saved."""
    data = json.loads(content_path.read_text(encoding="utf-8"))
    report = LoadReport()
    # Publishing the demo's briefs must not capture their sources from the real sites;
    # archive_demo captures them from the local copies instead.
    with capture_on_publish_paused():
        _load_content(data, report)
    archive_demo(data, report)
    return report


@transaction.atomic
def _load_content(data: dict[str, Any], report: LoadReport) -> None:
    home, brief_index, author_index, topic_index = _home()

    outlets: dict[str, Outlet] = {}
    for row in data["outlets"]:
        outlet, created = Outlet.objects.get_or_create(
            name=row["name"],
            defaults={"short_label": row.get("short_label") or "", "home_url": row["home_url"]},
        )
        outlets[row["key"]] = outlet
        report.count("outlets", created)

    sources: dict[str, Source] = {}
    for row in data["sources"]:
        source = Source.objects.filter(citation_key=row["key"]).first()
        report.count("sources", source is None)
        if source is None:
            source_outlet = outlets.get(row.get("outlet") or "")
            source = Source(
                citation_key=row["key"],
                kind=row["kind"],
                outlet=source_outlet,
                title=row["title"],
                title_apa=row.get("title_apa") or "",
                authors=row.get("authors") or [],
                issued=row.get("issued") or "",
                url=row.get("url") or "",
                accessed=_date(row.get("accessed")),
                number=row.get("number") or "",
                publisher=row.get("publisher") or "",
                publisher_place=row.get("publisher_place") or "",
                genre=row.get("genre") or "",
                medium=row.get("medium") or "",
                csl_extra=row.get("extra") or {},
            )
            source.full_clean()
            source.save()
        sources[row["key"]] = source
    source_ids = {key: s.pk for key, s in sources.items()}
    labels = {key: s.parenthetical_label for key, s in sources.items()}

    authors: dict[str, AuthorPage] = {}
    for row in data["authors"]:
        page, created = _child(
            author_index,
            AuthorPage,
            row["slug"],
            title=f"{row['given']} {row['family']}",
            given_name=row["given"],
            family_name=row["family"],
            role=row.get("role", ""),
            bio=f"<p>{row.get('bio', '')}</p>",
        )
        authors[row["slug"]] = page.specific
        report.count("authors", created)
        _expert_extras(authors[row["slug"]], row)

    topics: dict[str, TopicGuidePage] = {}
    for row in data["topics"]:
        intro = "".join(
            to_db_html(p, source_ids, labels) for p in row["introduction"].split("\n\n") if p
        )
        # A sub-guide names its parent guide, listed before it.
        parent = topics[row["parent"]] if row.get("parent") else topic_index
        page, created = _child(
            parent,
            TopicGuidePage,
            row["slug"],
            title=row["title"],
            label=row.get("label", ""),
            description=row.get("description", ""),
            introduction=intro,
            key_facts=_key_facts(row),
            # Top-level guides are the site's main topics; a sub-guide is reached from its parent.
            show_in_menus=not row.get("parent"),
        )
        topics[row["slug"]] = page.specific
        report.count("topics", created)

    briefs: dict[str, BriefPage] = {}
    pending_pins: list[tuple[BriefPage, list[str]]] = []
    for row in data["briefs"]:
        existing = BriefPage.objects.child_of(brief_index).filter(slug=row["slug"]).first()
        report.count("briefs", existing is None)
        if existing:
            briefs[row["slug"]] = existing
            continue
        brief = _new_brief(row, authors, topics, source_ids, labels)
        brief_index.add_child(instance=brief)
        _publish(brief)
        briefs[row["slug"]] = brief
        if row.get("related"):
            pending_pins.append((brief, row["related"]))

    for brief, slugs in pending_pins:
        brief.related_pins = [BriefRelatedPin(related=briefs[s]) for s in slugs if s in briefs]
        _publish(brief)

    # The demo's briefs were "published" on their dates, not today: without this, loading them
    # now would read as a revision and show an "Updated" line on every brief.
    for brief in briefs.values():
        if brief.first_published_at:
            BriefPage.objects.filter(pk=brief.pk).update(last_published_at=brief.first_published_at)

    # Timelines link to briefs, so they are filled in once every brief exists.
    for row in data["topics"]:
        _fill_guide(topics[row["slug"]], row, briefs, source_ids, labels)

    load_front(home, report)
    # More on This Topic is scored once every brief is in (in production: on publish).
    rebuild_related()
    # The search index, built once from everything loaded (changes apply one by one after).
    search_sync.rebuild()
    _demo_users(report)
    for row in data.get("in_review", []):
        _brief_in_review(row, brief_index, authors, topics, source_ids, labels, report)
    # The sitemap and Wagtail's full URLs answer on the port the demo serves, and citations
    # stored by an earlier run on another port print this one.
    sync_origin()


def _new_brief(
    row: dict[str, Any],
    authors: dict[str, AuthorPage],
    topics: dict[str, TopicGuidePage],
    source_ids: dict[str, int],
    labels: dict[str, str],
) -> BriefPage:
    """A BriefPage (not yet in the tree) from its content row."""
    body: list[tuple[str, Any]] = []
    for block in row["body"]:
        if block["type"] == "paragraph":
            body.append(("paragraph", to_db_html(block["text"], source_ids, labels)))
        elif block["type"] == "quote":
            body.append(
                ("quote", {"quote": block["text"], "attribution": block.get("attribution", "")})
            )
        elif block["type"] == "topic_box":
            body.append(("topic_box", {"topic": topics[block["topic"]], "text": ""}))
        elif block["type"] == "figure":
            body.append(("figure", _figure(block)))
    analysis = [
        ("item", to_db_html(text, source_ids, labels))
        for text in row.get("additional_analysis", [])
    ]
    date = _date(row["date"])
    assert date is not None
    brief = BriefPage(
        slug=row["slug"],
        title=row["title"],
        brief_type=row["type"],
        date=date,
        updated=_date(row.get("updated")),
        summary=row.get("summary", ""),
        title_apa=row.get("title_apa", ""),  # empty: automatic, learning the site's names
        body=body,
        additional_analysis=analysis,
        first_published_at=timezone.make_aware(dt.datetime.combine(date, dt.time(9))),
    )
    brief.brief_authors = [BriefAuthor(author=authors[s]) for s in row["authors"]]
    brief.brief_topics = [BriefTopic(topic=topics[s]) for s in row["topics"]]
    return brief


def _demo_users(report: LoadReport) -> None:
    User = get_user_model()
    for username, group, superuser in (
        ("admin", None, True),
        ("editor", EDITORS, False),
        ("author", AUTHORS, False),
    ):
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.org",
            password=DEMO_PASSWORD,
            is_staff=superuser,
            is_superuser=superuser,
            first_name=username.title(),
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        report.count("users", True)


def _brief_in_review(
    row: dict[str, Any],
    brief_index: BriefIndexPage,
    authors: dict[str, AuthorPage],
    topics: dict[str, TopicGuidePage],
    source_ids: dict[str, int],
    labels: dict[str, str],
    report: LoadReport,
) -> None:
    """A draft brief its author has submitted for review: it waits in the editors' workflow
    (Awaiting your review), never published, with quotes on its citations to check."""
    existing = BriefPage.objects.child_of(brief_index).filter(slug=row["slug"]).exists()
    report.count("briefs", not existing)
    if existing:
        return
    user = get_user_model().objects.get(username=row["submitted_by"])
    brief = _new_brief(row, authors, topics, source_ids, labels)
    brief.live = False
    brief.first_published_at = None
    brief_index.add_child(instance=brief)
    brief.save_revision(user=user)
    workflow = brief.get_workflow()
    if workflow is not None:
        workflow.start(brief, user)


def _figure(block: dict[str, Any]) -> dict[str, Any]:
    """A figure block whose image is a bar chart drawn from the block's numbers (once)."""
    image = Image.objects.filter(title=block["title"]).first()
    if image is None:
        png = bar_chart_png(block["title"], block["unit"], [Bar(*bar) for bar in block["bars"]])
        slug = block["title"].lower().replace(" ", "-").replace(":", "")
        image = Image.objects.create(
            title=block["title"], description=block["alt"], file=ContentFile(png, f"{slug}.png")
        )
    return {
        "image": image,
        "alt": block["alt"],
        "caption": block["caption"],
        "credit": block["credit"],
    }


# --- topic guides and experts ---------------------------------------------------------------


def _key_facts(row: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    return [("fact", {"label": f["label"], "value": f["value"]}) for f in row.get("key_facts", [])]


def _fill_guide(
    guide: TopicGuidePage,
    row: dict[str, Any],
    briefs: dict[str, BriefPage],
    source_ids: dict[str, int],
    labels: dict[str, str],
) -> None:
    """Give a guide its description, key facts and timeline where it has none yet (a guide
    loaded by an earlier version of the demo, or one this run created): what an editor has
    written is never replaced, and a second run changes nothing."""
    changed = False
    if not guide.description and row.get("description"):
        guide.description = row["description"]
        changed = True
    if not guide.key_facts and row.get("key_facts"):
        guide.key_facts = _key_facts(row)
        changed = True
    if not guide.timeline and row.get("timeline"):
        guide.timeline = [
            (
                "event",
                {
                    "date": dt.date.fromisoformat(event["date"]),
                    "text": RichText(to_db_html(event["text"], source_ids, labels)),
                    "briefs": [briefs[slug] for slug in event.get("briefs", [])],
                },
            )
            for event in row["timeline"]
        ]
        changed = True
    if changed:
        _publish(guide)


def _expert_extras(author: AuthorPage, row: dict[str, Any]) -> None:
    """An expert's links and generated portrait, where the page has none yet."""
    changed = False
    if not author.links and row.get("links"):
        author.links = [
            ("link", {"label": link["label"], "url": link["url"]}) for link in row["links"]
        ]
        changed = True
    if author.photo_id is None and row.get("portrait"):
        title = f"Portrait of {author.name}"
        image = Image.objects.filter(title=title).first()
        if image is None:
            png = _portrait_png(row["portrait"]["initials"], row["portrait"]["colour"])
            image = Image.objects.create(
                title=title,
                description=author.name,
                file=ContentFile(png, f"portrait-{author.slug}.png"),
            )
        author.photo = image
        changed = True
    if changed:
        _publish(author)


def _portrait_png(initials: str, colour: str, size: int = 480) -> bytes:
    """A stand-in portrait: a head-and-shoulders silhouette on a coloured ground, with the
    expert's initials (the demo has no photographs of its invented people)."""
    import io

    from PIL import Image as PILImage
    from PIL import ImageDraw

    ground = PILImage.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(ground)
    light = (255, 255, 255, 70)
    overlay = PILImage.new("RGBA", (size, size), (0, 0, 0, 0))
    shape = ImageDraw.Draw(overlay)
    shape.ellipse((size * 0.31, size * 0.16, size * 0.69, size * 0.54), fill=light)
    shape.ellipse((size * 0.12, size * 0.6, size * 0.88, size * 1.35), fill=light)
    ground.paste(overlay, (0, 0), overlay)
    draw = ImageDraw.Draw(ground)
    draw.text(
        (size * 0.5, size * 0.8),
        initials,
        fill="white",
        font=_font(size // 7, bold=True),
        anchor="mm",
    )
    buffer = io.BytesIO()
    ground.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
