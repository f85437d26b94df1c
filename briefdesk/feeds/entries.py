"""What a feed holds, as plain frozen data: channels.py makes it from the pages, formats.py
writes it. No ORM here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Entry:
    """One brief in a feed. `id` is its canonical URL (stable while its slug is)."""

    id: str
    url: str
    title: str
    summary: str
    authors: tuple[Person, ...]
    categories: tuple[str, ...]
    published: dt.datetime
    updated: dt.datetime


@dataclass(frozen=True)
class Channel:
    """A feed: `key` names it in URLs ("", "topics/pakistan", "experts/jane-doe",
    "types/op-ed"); `home_url` is the page it follows."""

    key: str
    title: str
    description: str
    home_url: str
    language: str
    entries: tuple[Entry, ...]
    last_modified: dt.datetime | None
