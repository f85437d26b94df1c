"""Sources that do not rot (docs/archive.md): the guarded fetcher, snapshots, link health.

Every request briefdesk makes to the web goes through briefdesk.archive.fetch, which refuses
private, loopback, link-local, reserved and metadata addresses. BRIEFDESK_FETCH_ALLOW names
networks it may reach anyway: the test settings allow loopback for the suite's local web
servers, and the demo allows it only while it captures its own local copies. Production
leaves it empty.
"""

from __future__ import annotations

from .env import envbool, envint, envstr

# Named in the User-Agent of every request, so a site's operator can see who fetched and why.
BRIEFDESK_CONTACT_URL = envstr("BRIEFDESK_CONTACT_URL", "")
# Networks (CIDR) the guard lets through: tests and the demo's loopback only. Never from the
# environment, so no deployment can open the guard by a stray variable.
BRIEFDESK_FETCH_ALLOW: list[str] = []
BRIEFDESK_FETCH_MAX_BYTES = envint("BRIEFDESK_FETCH_MAX_BYTES", 25 * 1024 * 1024)
BRIEFDESK_FETCH_TIMEOUT = envint("BRIEFDESK_FETCH_TIMEOUT", 30)  # seconds, the whole fetch
# Link checks honour robots.txt (captures an editor asks for are a person's request).
BRIEFDESK_ROBOTS = envbool("BRIEFDESK_ROBOTS", True)
# Politeness per host: requests at once, and seconds between the start of two requests.
BRIEFDESK_FETCH_PER_HOST = envint("BRIEFDESK_FETCH_PER_HOST", 2)
BRIEFDESK_FETCH_SPACING_MS = envint("BRIEFDESK_FETCH_SPACING_MS", 1000)
# Capture each source when a published brief first cites it (a task per source with a URL and
# no snapshot yet, after the publish commits). Off in the test settings: publishing in tests
# must not look up invented hosts.
BRIEFDESK_CAPTURE_ON_PUBLISH = envbool("BRIEFDESK_CAPTURE_ON_PUBLISH", True)
