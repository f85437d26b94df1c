"""Sources that do not rot: fetching, capture, link health, quote checks. No ORM in this package."""
