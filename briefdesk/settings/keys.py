"""Secret keys written in this repository: fine for development and tests, refused anywhere else.

The secret key check (briefdesk.core.checks) rejects each of these whenever DEBUG is off, except
under the test settings, which never serve readers.
"""

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
TEST_SECRET_KEY = "test-only-secret-key"
COMMITTED_SECRET_KEYS = frozenset({DEV_SECRET_KEY, TEST_SECRET_KEY})
