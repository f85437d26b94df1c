"""The CSL-JSON shape every path into briefdesk checks: JSON limits and item schema. No ORM here.

    data = load_json(text, max_bytes=5_000_000)        # CslError: one line, never a traceback
    problems = validate_item(item, where="entry 3")    # [] when the item is fine
    problems = validate_extra(source.csl_extra)        # a Source's other CSL variables

This is a hand-written rendering of the CSL-JSON schema (`csl-data.json` 1.0, CSL 1.0.2 types
and variables): no maintained PyPI package ships that schema for Python, and a generic JSON
Schema validator would still need the size and range limits below, which the schema leaves out.
The form, the importers and any API call the same two functions, so the same value gets the
same answer whichever way it comes in.

What is checked (and why it is stricter than the schema in places):

- JSON text: at most `max_bytes` (UTF-8), nesting at most `max_depth`, no NaN/Infinity, no
  integer beyond +/-2**53 (what JavaScript, and so citeproc-js, can hold exactly), no NUL or
  other C0 control character except tab/newline/carriage return, no lone surrogate (it cannot
  be stored as UTF-8). Depth is checked by scanning brackets before parsing, so 100,000 `[`
  never reaches Python's recursion limit; integer digits are counted before `int()` runs, so
  Python's 4,300-digit limit never raises.
- `type`: one of the CSL 1.0.2 types.
- Name variables: a list of at most 500 name objects whose keys are the CSL name parts, with
  text values of at most 255 characters (the flags `comma-suffix`, `static-ordering`,
  `parse-names` may also be numbers or true/false), and at least one of family/given/literal.
- Date variables: an object with `date-parts` (one date or a range of two; each [year],
  [year, month] or [year, month, day] as integers or digit strings, year -9999..9999, month
  1..24 -- 13-24 are CSL seasons -- day 1..31), or `literal`/`raw` text; `season` and `circa`
  as the schema allows.
- Standard variables: text or a number (never an object, a list or true/false), text at most
  10,000 characters. `categories` is a list of text; `custom` is an object.
- The whole item serialised at most 64 KB.

Caveat, decided on purpose: the schema rejects variables it does not list, but Zotero,
Mendeley and Better BibTeX write some of their own (`citation-key` variants, `shortTitle`,
`journalAbbreviation`, ...), and citeproc-js ignores variables it does not know. So an unknown
variable is accepted when its name looks like a CSL variable and its value is text or a number;
an unknown variable holding an object or a list is refused, because that shape is exactly what
made the engine and the writers fail.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CITED_BY_TITLE",
    "DATE_VARIABLES",
    "MAX_ITEM_BYTES",
    "MAX_NAMES",
    "MAX_NAME_PART",
    "MAX_STRING",
    "NAME_VARIABLES",
    "TYPES",
    "CslError",
    "load_json",
    "validate_extra",
    "validate_item",
]

MAX_STRING = 10_000
MAX_NAMES = 500
MAX_NAME_PART = 255
MAX_ITEM_BYTES = 64 * 1024
MAX_SAFE_INTEGER = 2**53
# Digits of the largest safe integer; anything longer is refused before int() sees it.
_MAX_INT_DIGITS = len(str(MAX_SAFE_INTEGER))
# Nesting inside one item: item -> date -> date-parts -> a date -> a part is 4 deep; `custom`
# may hold a little more. Deeper values are refused by the item check, not only by load_json.
MAX_ITEM_DEPTH = 8

TYPES = frozenset(
    """article article-journal article-magazine article-newspaper bill book broadcast chapter
    classic collection dataset document entry entry-dictionary entry-encyclopedia event figure
    graphic hearing interview legal_case legislation manuscript map motion_picture
    musical_score pamphlet paper-conference patent performance periodical
    personal_communication post post-weblog regulation report review review-book software song
    speech standard thesis treaty webpage""".split()
)

# Types the styles cite by their title: Chicago's notes name a bill, case, statute,
# regulation, hearing or treaty and never lead with an author, so an untitled one prints
# nothing. Every other type may be untitled when it has an author ("Khan, Imran. Interview by
# Jo Smith."); test_valid_references checks every type against every style.
CITED_BY_TITLE = frozenset({"bill", "hearing", "legal_case", "legislation", "regulation", "treaty"})

NAME_VARIABLES = frozenset(
    """author chair collection-editor compiler composer container-author contributor curator
    director editor editorial-director editortranslator executive-producer guest host
    illustrator interviewer narrator organizer original-author performer producer recipient
    reviewed-author script-writer series-creator translator""".split()
)

DATE_VARIABLES = frozenset(
    "accessed available-date container event-date issued original-date submitted".split()
)

# The standard (text or number) variables of csl-data.json 1.0 plus CSL 1.0.2.
STANDARD_VARIABLES = frozenset(
    """abstract annote archive archive_collection archive_location archive-place authority
    call-number chapter-number citation-key citation-label citation-number collection-number
    collection-title container-title container-title-short dimensions division DOI edition
    event event-place event-title first-reference-note-number genre ISBN ISSN issue
    journalAbbreviation jurisdiction keyword language license locator medium note number
    number-of-pages number-of-volumes original-publisher original-publisher-place
    original-title page page-first part part-title PMCID PMID printing publisher
    publisher-place references reviewed-genre reviewed-title scale section shortTitle source
    status supplement title title-short URL version volume volume-title volume-title-short
    year-suffix""".split()
)

NAME_TEXT_PARTS = frozenset(
    {"family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal"}
)
NAME_FLAG_PARTS = frozenset({"comma-suffix", "static-ordering", "parse-names"})
DATE_KEYS = frozenset({"date-parts", "season", "circa", "literal", "raw"})

_VARIABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
# C0 controls except tab, newline, carriage return; DEL; lone surrogates.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_DATE_PART_TEXT = re.compile(r"-?\d{1,4}")
# A JSON string, matched possessively so unterminated strings cannot make it backtrack.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class CslError(ValueError):
    """Bad CSL-JSON input. The message is one readable line."""


def load_json(text: str, *, max_bytes: int, max_depth: int = 32) -> Any:
    """Parse JSON text with the limits above; raise CslError with a one-line reason.

    Promises: never raises anything but CslError for any str input (RecursionError, the
    4,300-digit int limit and NaN never escape), and everything returned can be stored as UTF-8
    and read exactly by JavaScript. Caveat: floats are accepted (CSL allows numbers) but must
    be finite; a float like 1e400 is refused rather than turned into infinity.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise CslError(f"The JSON is {size:,} bytes; the limit is {max_bytes:,} bytes.")
    depth = _max_depth(text)
    if depth > max_depth:
        raise CslError(f"The JSON is nested {depth} levels deep; the limit is {max_depth}.")
    try:
        data = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except CslError:
        raise
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise CslError(f"Not valid JSON: {where}: {exc.msg}.") from None
    except (ValueError, RecursionError) as exc:  # pragma: no cover - defended by the scans above
        raise CslError(f"Not valid JSON: {_one_line(str(exc))}.") from None
    problem = _first_bad_text(data)
    if problem:
        raise CslError(problem)
    return data


def validate_item(item: Mapping[str, Any], *, where: str = "") -> list[str]:
    """Reasons a CSL-JSON item breaks the CSL-JSON schema or briefdesk's limits; [] if none.

    Each reason is one line, prefixed with `where` ("entry 3: ...") when given. Never raises,
    whatever it is given. `id` and `type` may be missing (the importers default them), but
    when present must be text/number and a CSL type.
    """
    prefix = f"{where}: " if where else ""
    if not isinstance(item, Mapping):
        return [f"{prefix}not a CSL-JSON object"]
    problems = _generic_problems(item)
    if not problems:
        if "id" in item and not _is_text_or_number(item["id"]):
            problems.append("id: must be text or a number")
        # A list or object is no CSL type either (and cannot be looked up in a set).
        if "type" in item and not (isinstance(item["type"], str) and item["type"] in TYPES):
            problems.append(f"type: {_short(item['type'])} is not a CSL type")
        problems.extend(_variable_problems(item, skip={"id", "type"}))
    if not problems:
        try:
            size = len(json.dumps(item, ensure_ascii=False).encode("utf-8"))
        except (TypeError, ValueError, RecursionError):  # pragma: no cover - _generic_problems
            size = 0
            problems.append("the item cannot be written as JSON")
        if size > MAX_ITEM_BYTES:
            problems.append(
                f"the item is {size:,} bytes as JSON; the limit is {MAX_ITEM_BYTES:,} bytes"
            )
    return [prefix + p for p in problems]


def validate_extra(extra: Any) -> list[str]:
    """Reasons a Source's `csl_extra` is not a dict of valid CSL variables; [] if none.

    `csl_extra` holds every CSL variable a Source has no column for (and `type` when the CSL
    type is not the kind's own), so the same rules as validate_item apply; `id` is refused
    because export takes it from the citation key.
    """
    if not isinstance(extra, Mapping):
        return ["must be a JSON object of CSL variables"]
    problems = validate_item(extra)
    if "id" in extra:
        problems.append("id: is set from the citation key; remove it here")
    return problems


# --- JSON text ----------------------------------------------------------------------------


def _max_depth(text: str) -> int:
    """Deepest bracket nesting outside strings, without recursion."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > _MAX_INT_DIGITS:
        raise CslError(f"The number {_short(digits)} is too large; numbers must be within ±2**53.")
    value = int(digits)
    if abs(value) > MAX_SAFE_INTEGER:
        raise CslError(f"The number {digits} is too large; numbers must be within ±2**53.")
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise CslError(f"The number {_short(text)} is too large.")
    return value


def _parse_constant(name: str) -> float:
    raise CslError(f"{name} is not allowed in JSON; use a number or text.")


def _first_bad_text(data: Any) -> str | None:
    """The first string (or key) holding a control character or lone surrogate, as a message."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _BAD_CHARS.search(value):
                return _bad_char_message(value)
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


def _bad_char_message(value: str) -> str:
    char = _BAD_CHARS.search(value)
    assert char is not None
    code = ord(char.group())
    if code == 0:
        return "Text may not contain NUL (\\u0000) characters."
    if 0xD800 <= code <= 0xDFFF:
        return f"Text may not contain a lone surrogate (\\u{code:04x})."
    return f"Text may not contain the control character \\u{code:04x}."


# --- items --------------------------------------------------------------------------------


def _generic_problems(item: Mapping[str, Any]) -> list[str]:
    """Types, depth, numbers and characters anywhere in the item, checked without recursion."""
    stack: list[tuple[Any, int]] = [(item, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_ITEM_DEPTH:
            return [f"values are nested more than {MAX_ITEM_DEPTH} levels deep"]
        if isinstance(value, str):
            if _BAD_CHARS.search(value):
                return [_bad_char_message(value).rstrip(".")]
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if abs(value) > MAX_SAFE_INTEGER:
                return ["numbers must be within ±2**53"]
        elif isinstance(value, float):
            if not math.isfinite(value):
                return ["numbers must be finite (no NaN or Infinity)"]
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                if not isinstance(key, str):
                    return ["keys must be text"]
                stack.append((key, depth + 1))
                stack.append((inner, depth + 1))
        elif isinstance(value, list | tuple):
            stack.extend((inner, depth + 1) for inner in value)
        else:
            return [f"{type(value).__name__} is not a JSON value"]
    return []


def _variable_problems(item: Mapping[str, Any], *, skip: set[str]) -> list[str]:
    problems: list[str] = []
    for key, value in item.items():
        if key in skip:
            continue
        if key in NAME_VARIABLES:
            problems.extend(_names_problems(key, value))
        elif key in DATE_VARIABLES:
            problems.extend(f"{key}: {p}" for p in _date_problems(value))
        elif key == "categories":
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                problems.append("categories: must be a list of text")
            elif any(len(v) > MAX_STRING for v in value):
                problems.append(f"categories: each must be at most {MAX_STRING:,} characters")
        elif key == "custom":
            if not isinstance(value, Mapping):
                problems.append("custom: must be an object")
        elif key in STANDARD_VARIABLES or _VARIABLE_NAME.fullmatch(key):
            problem = _standard_problem(value)
            if problem:
                problems.append(f"{key}: {problem}")
        else:
            problems.append(f"{_short(key)} is not a CSL variable name")
    return problems


def _standard_problem(value: Any) -> str | None:
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            return f"is {len(value):,} characters; the limit is {MAX_STRING:,}"
        return None
    if _is_number(value):
        return None
    return f"must be text or a number, not {_kind(value)}"


def _names_problems(variable: str, names: Any) -> list[str]:
    if not isinstance(names, list):
        return [f"{variable}: must be a list of names, not {_kind(names)}"]
    if len(names) > MAX_NAMES:
        return [f"{variable}: {len(names):,} names; the limit is {MAX_NAMES}"]
    for number, name in enumerate(names, start=1):
        where = f"{variable} {number}"
        if not isinstance(name, Mapping):
            return [f"{where}: a name must be an object, not {_kind(name)}"]
        for part, value in name.items():
            if part in NAME_TEXT_PARTS:
                if not isinstance(value, str):
                    return [f"{where}: {part} must be text, not {_kind(value)}"]
                if len(value) > MAX_NAME_PART:
                    return [
                        f"{where}: {part} is {len(value):,} characters; "
                        f"the limit is {MAX_NAME_PART}"
                    ]
            elif part in NAME_FLAG_PARTS:
                if not (isinstance(value, str | bool) or _is_number(value)):
                    return [f"{where}: {part} must be text, a number or true/false"]
            else:
                return [f"{where}: {_short(part)} is not a CSL name part"]
        if not any(
            isinstance(name.get(k), str) and name[k].strip() for k in ("family", "given", "literal")
        ):
            return [f"{where}: a name needs a family, given or literal name"]
    return []


def _date_problems(value: Any) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"must be a CSL date object, not {_kind(value)}"]
    unknown = sorted(set(value) - DATE_KEYS)
    if unknown:
        return [f"{_short(unknown[0])} is not part of a CSL date"]
    for key in ("literal", "raw"):
        if key in value and not isinstance(value[key], str):
            return [f"{key} must be text"]
        if isinstance(value.get(key), str) and len(value[key]) > MAX_STRING:
            return [f"{key} is longer than {MAX_STRING:,} characters"]
    if "season" in value and not (isinstance(value["season"], str) or _is_number(value["season"])):
        return ["season must be text or a number"]
    if "circa" in value and not (
        isinstance(value["circa"], str | bool) or _is_number(value["circa"])
    ):
        return ["circa must be text, a number or true/false"]
    if "date-parts" not in value:
        if any(isinstance(value.get(k), str) and value[k].strip() for k in ("literal", "raw")):
            return []
        return ["a CSL date needs date-parts, literal or raw"]
    parts = value["date-parts"]
    if not isinstance(parts, list) or not 1 <= len(parts) <= 2:
        return ["date-parts must hold one date or a range of two, e.g. [[2010, 12, 6]]"]
    for date in parts:
        if not isinstance(date, list) or not 1 <= len(date) <= 3:
            return ["each date in date-parts must be [year], [year, month] or [year, month, day]"]
        numbers = []
        for part in date:
            number = _date_number(part)
            if number is None:
                return [f"{_short(part)} in date-parts is not a whole number"]
            numbers.append(number)
        limits = [(-9999, 9999, "year"), (1, 24, "month"), (1, 31, "day")]
        for number, (low, high, what) in zip(numbers, limits, strict=False):
            if not low <= number <= high:
                return [f"{what} {number} is out of range ({low}..{high})"]
    return []


def _date_number(part: Any) -> int | None:
    if isinstance(part, bool):
        return None
    if isinstance(part, int):
        return part
    if isinstance(part, float) and part.is_integer() and abs(part) < 10_000:
        return int(part)
    if isinstance(part, str) and _DATE_PART_TEXT.fullmatch(part.strip()):
        return int(part)
    return None


# --- small helpers ------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_text_or_number(value: Any) -> bool:
    return isinstance(value, str) or _is_number(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "text"
    if _is_number(value):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _short(value: Any, limit: int = 40) -> str:
    text = _one_line(repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())
