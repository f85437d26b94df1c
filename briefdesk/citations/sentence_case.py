"""APA sentence-case titles. No CSL engine converts case, so briefdesk makes the APA title:

    apa_title(title, override, override_for, names)  # what APA prints

is the editor's override when it was written for the current title, else the automatic
`suggest_sentence_case(title, names)`. An override set for an earlier title is ignored, so a
renamed record never keeps printing its old title in APA.

The automatic case is a heuristic, not grammar: a word keeps its capital when it is the first
word or follows a colon, question or exclamation mark, or a dash; when it is an acronym,
contains a capital after its first letter (WikiLeaks), a digit or a dot (U.S.); or when it is
a known proper noun (countries, peoples, institutions, months and days, plus any names the
caller passes). Everything else is lower-cased.

The names a caller passes are learned, not kept by hand: `proper_nouns_in_text(body)` finds
the words a work's own text capitalises mid-sentence ("leaked in what became known as
Cablegate"), and `citations.proper_nouns.site_proper_nouns()` names the site's authors,
outlets and topics. A one-word name keeps that word wherever it appears; a name of several
words keeps its words only where the whole name appears ("Foreign Policy" keeps "Policy" in
"Foreign Policy Reviews…", not in "A Policy of Delay"), with or without a leading "The".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PROPER_NOUNS = frozenset(
    [
        "afghan",
        "afghanistan",
        "africa",
        "african",
        "al",
        "al-qaeda",
        "america",
        "american",
        "americans",
        "arab",
        "arabia",
        "asia",
        "asian",
        "atlantic",
        "baghdad",
        "balochistan",
        "beijing",
        "bin",
        "britain",
        "british",
        "brookings",
        "cairo",
        "capitol",
        "china",
        "chinese",
        "christian",
        "clinton",
        "congress",
        "congressional",
        "crimea",
        "delhi",
        "democrat",
        "democrats",
        "egypt",
        "english",
        "europe",
        "european",
        "fata",
        "gaza",
        "geneva",
        "german",
        "germany",
        "god",
        "gulf",
        "haqqani",
        "hindu",
        "india",
        "indian",
        "indians",
        "iran",
        "iranian",
        "iraq",
        "iraqi",
        "islam",
        "islamabad",
        "islamic",
        "israel",
        "israeli",
        "japan",
        "japanese",
        "jerusalem",
        "jewish",
        "kabul",
        "kandahar",
        "karachi",
        "kashmir",
        "kerry",
        "korea",
        "korean",
        "kremlin",
        "lahore",
        "laden",
        "lashkar",
        "london",
        "mexico",
        "moscow",
        "mumbai",
        "muslim",
        "muslims",
        "nato",
        "obama",
        "pacific",
        "pakistan",
        "pakistani",
        "pakistanis",
        "palestinian",
        "paris",
        "pashtun",
        "pentagon",
        "persian",
        "punjab",
        "qaeda",
        "quetta",
        "russia",
        "russian",
        "saudi",
        "senate",
        "shia",
        "soviet",
        "sunni",
        "swat",
        "syria",
        "syrian",
        "taliban",
        "tehran",
        "tokyo",
        "turkey",
        "turkish",
        "ukraine",
        "urdu",
        "usa",
        "washington",
        "waziristan",
        "wikileaks",
        "zardari",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)

# Words headline case leaves in lower case (articles, conjunctions, prepositions, name
# particles): a title with any other word in lower case is not in headline case.
HEADLINE_LOWER = frozenset(
    """a an the and but or nor for so yet as at by in of off on per to up via with from into
    onto over upon than vs v about above across after against along among around before
    behind below beneath beside between beyond despite during except inside like near
    outside past since through toward towards under until within without al bin de del der
    di du el la le van von""".split()
)

_WORD = re.compile(r"[\w'’.-]+|[^\w\s]", re.UNICODE)
_BREAK = {":", "?", "!", "—", "–"}


def suggest_sentence_case(title: str, extra_proper_nouns: Iterable[str] = ()) -> str:
    """Suggest the APA sentence-case form of a headline-case title.

    A title already in sentence case (a word other than an article, conjunction or
    preposition starts in lower case after its first word, as reference managers store
    titles for APA) is returned as it is: its capitals are proper nouns ("The United States
    and the failure of nation building")."""
    if _in_sentence_case(title):
        return title
    keep = set(PROPER_NOUNS)
    phrases: list[list[str]] = []
    for name in extra_proper_nouns:
        words = [_key(w) for w in re.findall(r"[\w'’-]+", name)]
        words = [w for w in words if w]
        if len(words) == 1:
            keep.add(words[0])
        elif words:
            phrases.append(words)
            if words[0] in {"the", "a", "an"} and len(words) > 2:
                phrases.append(words[1:])
    matches = list(_WORD.finditer(title))
    kept = _phrase_positions([_key(m.group()) for m in matches], phrases)
    out: list[str] = []
    capitalise_next = True
    pos = 0
    for index, match in enumerate(matches):
        out.append(title[pos : match.start()])
        pos = match.end()
        token = match.group()
        if not re.match(r"\w", token):
            out.append(token)
            if token in _BREAK:
                capitalise_next = True
            continue
        keep_token = capitalise_next or index in kept
        out.append(token if keep_token else _case_word(token, keep))
        capitalise_next = False
    out.append(title[pos:])
    return "".join(out)


def _key(word: str) -> str:
    """A word as names are compared: lower case, without a possessive or edge punctuation."""
    word = word.lower().strip("'’.")
    for suffix in ("'s", "’s"):
        word = word.removesuffix(suffix)
    return word


def _phrase_positions(keys: list[str], phrases: list[list[str]]) -> set[int]:
    """Indexes of the title's tokens that belong to a whole multi-word name. Punctuation
    tokens never match a word of a name, so a name never matches across them."""
    kept: set[int] = set()
    for phrase in phrases:
        size = len(phrase)
        for start in range(len(keys) - size + 1):
            if keys[start : start + size] == phrase:
                kept.update(range(start, start + size))
    return kept


# Text for proper_nouns_in_text: words (letters first; digits inside are fine) and the
# punctuation that ends a sentence or opens/closes a quotation.
_TEXT_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|[.!?:;]|[“”\"]|\n")
_SENTENCE_END = {".", "!", "?", ":", ";", "\n"}


def proper_nouns_in_text(text: str) -> set[str]:
    """Words the text itself treats as proper nouns: capitalised in the middle of a sentence,
    outside quotation marks, and never written in lower case anywhere in the text.

    "Leaked in what became known as Cablegate." gives {"Cablegate"}. The first word of a
    sentence (after . ! ? : ; or a line break) says nothing, nor does a word in quotation
    marks (often a title in headline case), nor a word also seen in lower case ("the Army
    said… the army's budget"), nor "I" or a single letter (initials, "U.S." cut at its dots).
    Caveat: a sentence after an abbreviation ("Mr. Khan") starts a new sentence, so such a
    word is missed rather than wrongly kept."""
    capitalised: dict[str, str] = {}
    lower_seen: set[str] = set()
    sentence_start = True
    quoted = False
    for match in _TEXT_TOKEN.finditer(text):
        token = match.group()
        if token in _SENTENCE_END:
            sentence_start = True
            continue
        if token in {"“", "”", '"'}:
            quoted = token == "“" or (token == '"' and not quoted)
            continue
        key = _key(token)
        if token[0].islower():
            lower_seen.add(key)
        elif not sentence_start and not quoted and len(key) > 1:
            capitalised.setdefault(key, token.removesuffix("'s").removesuffix("’s"))
        sentence_start = False
    return {
        word
        for key, word in capitalised.items()
        if key not in lower_seen and key not in HEADLINE_LOWER
    }


def _in_sentence_case(title: str) -> bool:
    first = True
    for match in _WORD.finditer(title):
        token = match.group()
        if not re.match(r"\w", token):
            first = first or token in _BREAK
            continue
        if not first and token.isalpha() and token.islower() and token not in HEADLINE_LOWER:
            return True
        first = False
    return False


def override_applies(title: str, override: str, override_for: str) -> bool:
    """True when a hand-set APA title was written for this title (and is not empty)."""
    return bool(override.strip()) and override_for == title


def apa_title(
    title: str, override: str, override_for: str, extra_proper_nouns: Iterable[str] = ()
) -> str:
    """The title APA prints: `override` while it was set for `title` (`override_for` is the
    title it was written for), else the automatic sentence case of `title`, keeping
    `extra_proper_nouns` (a source's outlet and author names, a brief's authors)."""
    if override_applies(title, override, override_for):
        return override
    return suggest_sentence_case(title, extra_proper_nouns)


def _case_word(word: str, keep: set[str]) -> str:
    # Hyphenated compounds are decided part by part ("U.S.-Pakistan", "Long-Term").
    if "-" in word.strip("-"):
        return "-".join(_case_word(part, keep) if part else part for part in word.split("-"))
    core = word.strip("'’.")
    if not core:
        return word
    if (
        any(c.isdigit() for c in core)
        or "." in core
        or any(c.isupper() for c in core[1:])
        or core.lower().rstrip("s").rstrip("'’") in keep
        or core.lower() in keep
    ):
        return word
    return word.lower()
