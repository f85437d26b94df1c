"""Markdown briefs with YAML front matter in, ParsedBriefs out: see `parser.parse_markdown`.
No ORM here."""
