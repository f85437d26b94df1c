"""Source kinds and how each maps onto CSL-JSON. No ORM here."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    NEWS_ARTICLE = "news_article"
    OP_ED = "op_ed"
    MAGAZINE_ARTICLE = "magazine_article"
    WEB_PAGE = "web_page"
    REPORT = "report"
    GOVERNMENT_DOCUMENT = "government_document"
    DIPLOMATIC_CABLE = "diplomatic_cable"
    BLOG_POST = "blog_post"
    INTERVIEW = "interview"
    BROADCAST = "broadcast"
    BOOK = "book"
    JOURNAL_ARTICLE = "journal_article"
    SPEECH = "speech"
    SOCIAL_MEDIA_POST = "social_media_post"
    LETTER = "letter"


KIND_LABELS: dict[Kind, str] = {
    Kind.NEWS_ARTICLE: "News article",
    Kind.OP_ED: "Op-ed",
    Kind.MAGAZINE_ARTICLE: "Magazine article",
    Kind.WEB_PAGE: "Web page",
    Kind.REPORT: "Report",
    Kind.GOVERNMENT_DOCUMENT: "Government document",
    Kind.DIPLOMATIC_CABLE: "Diplomatic cable",
    Kind.BLOG_POST: "Blog post",
    Kind.INTERVIEW: "Interview",
    Kind.BROADCAST: "Broadcast",
    Kind.BOOK: "Book",
    Kind.JOURNAL_ARTICLE: "Journal article",
    Kind.SPEECH: "Speech",
    Kind.SOCIAL_MEDIA_POST: "Social media post",
    Kind.LETTER: "Letter or personal communication",
}

# What a citation in a brief says for a source with no outlet, publisher or container, where
# the kind's label is too long to stand in parentheses ("(Letter)", not "(Letter or personal
# communication)"); other kinds use their label.
CITATION_LABELS: dict[Kind, str] = {
    Kind.LETTER: "Letter",
    Kind.SOCIAL_MEDIA_POST: "Post",
}

# Keyed by Kind, and looked up by a stored kind (a plain str) as well.
CSL_TYPE: dict[str, str] = {
    Kind.NEWS_ARTICLE: "article-newspaper",
    Kind.OP_ED: "article-newspaper",
    Kind.MAGAZINE_ARTICLE: "article-magazine",
    Kind.WEB_PAGE: "webpage",
    Kind.REPORT: "report",
    Kind.GOVERNMENT_DOCUMENT: "report",
    Kind.DIPLOMATIC_CABLE: "document",
    Kind.BLOG_POST: "post-weblog",
    Kind.INTERVIEW: "interview",
    Kind.BROADCAST: "broadcast",
    Kind.BOOK: "book",
    Kind.JOURNAL_ARTICLE: "article-journal",
    Kind.SPEECH: "speech",
    # Chicago cites both in notes only (no bibliography entry); APA cites a personal
    # communication in the text only. See citations.engine (`notes_only`).
    Kind.SOCIAL_MEDIA_POST: "post",
    Kind.LETTER: "personal_communication",
}

# Which CSL variable the source's outlet stands for: the periodical/site/programme that carries
# it ("container-title") or the organisation that issued it ("publisher").
OUTLET_VARIABLE: dict[Kind, str] = {
    kind: (
        "publisher"
        if kind
        in {Kind.REPORT, Kind.GOVERNMENT_DOCUMENT, Kind.DIPLOMATIC_CABLE, Kind.BOOK, Kind.SPEECH}
        else "container-title"
    )
    for kind in Kind
}

# CSL type -> kind, for import. Types shared by two kinds resolve by genre (see kind_for_csl).
_KIND_FOR_TYPE: dict[str, Kind] = {
    "article-newspaper": Kind.NEWS_ARTICLE,
    "article-magazine": Kind.MAGAZINE_ARTICLE,
    "webpage": Kind.WEB_PAGE,
    "report": Kind.REPORT,
    "document": Kind.DIPLOMATIC_CABLE,
    "post-weblog": Kind.BLOG_POST,
    "post": Kind.SOCIAL_MEDIA_POST,
    "personal_communication": Kind.LETTER,
    "interview": Kind.INTERVIEW,
    "broadcast": Kind.BROADCAST,
    "book": Kind.BOOK,
    "article-journal": Kind.JOURNAL_ARTICLE,
    "speech": Kind.SPEECH,
}


def kind_for_csl(csl_type: str, genre: str = "") -> Kind:
    """The closest kind for a CSL type. When the kind's own CSL type differs (a government
    "document", a "thesis"), the caller keeps the original type so export gives it back."""
    genre = genre.lower()
    if csl_type == "article-newspaper" and ("op-ed" in genre or "opinion" in genre):
        return Kind.OP_ED
    if csl_type == "document" and "cable" not in genre and genre:
        return Kind.GOVERNMENT_DOCUMENT
    return _KIND_FOR_TYPE.get(csl_type, Kind.WEB_PAGE)
