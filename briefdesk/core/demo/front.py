"""The demo's front page: the lead brief, the featured experts, and the About and Contact pages
the footer links to. Idempotent, and it leaves alone what an editor has already arranged: a
lead brief or featured experts already set are kept, and existing pages are not rewritten."""

from __future__ import annotations

from typing import Any

from briefdesk.briefs.models import AuthorPage, BriefPage
from briefdesk.core.models import HomeFeaturedExpert, StandardPage

LEAD_BRIEF = "how-wikileaks-hurts-us-pakistan-ties"
FEATURED_EXPERTS = ["clara-whitcombe", "idris-qamaruddin", "jonah-eberly"]

PAGES = [
    (
        "about",
        "About",
        "<p>Briefdesk is a demonstration publication: short, sourced analysis of foreign "
        "policy as it happens, in the manner of a think tank's briefs, backgrounders and "
        "expert interviews.</p>"
        "<p>Every brief names its authors and cites its sources, so a reader can check each "
        "claim and cite the brief in turn. Topic guides follow a crisis over time, with a "
        "timeline of events and the briefs that analyse them.</p>"
        "<h2>Our standards</h2>"
        "<p>Briefs are reviewed by an editor before they are published. Corrections are made "
        "in the text and noted under the byline with the date of the update.</p>",
    ),
    (
        "contact",
        "Contact",
        "<p>This is a demonstration site and its mailboxes are not read. On a real "
        "publication this page gives the editors' address for corrections, the press "
        "office for interview requests, and how to reach each expert.</p>"
        "<h2>Corrections</h2>"
        "<p>Write to the editors with the brief's title and the passage in question.</p>"
        "<h2>Press and interviews</h2>"
        "<p>Our experts' pages list their areas of work; the press office arranges "
        "interviews.</p>",
    ),
]


def load_front(home: Any, report: Any) -> None:
    """Arrange the demo's front page (idempotent)."""
    changed = False
    if home.lead_brief_id is None:
        lead = BriefPage.objects.live().filter(slug=LEAD_BRIEF).first()
        if lead is not None:
            home.lead_brief = lead
            changed = True
    if not home.featured_experts.exists():
        found = AuthorPage.objects.live().filter(slug__in=FEATURED_EXPERTS)
        by_slug = {expert.slug: expert for expert in found}
        experts = [by_slug[slug] for slug in FEATURED_EXPERTS if slug in by_slug]
        if experts:
            home.featured_experts = [HomeFeaturedExpert(expert=expert) for expert in experts]
            changed = True
    if changed:
        home.save_revision().publish()
    for slug, title, body in PAGES:
        if StandardPage.objects.child_of(home).filter(slug=slug).exists():
            report.count("pages", False)
            continue
        page = StandardPage(title=title, slug=slug, body=body)
        home.add_child(instance=page)
        page.save_revision().publish()
        report.count("pages", True)
