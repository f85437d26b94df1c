"""Saved brief pages (HTML) in, ParsedBriefs out: see `parser.parse_html`. No ORM here."""
