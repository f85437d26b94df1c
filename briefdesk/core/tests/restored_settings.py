"""Test settings for a site restored in a subprocess: the test settings, with the media and
private roots inside BRIEFDESK_DATA_DIR (the test settings put them in fresh temporary
directories, which a second process could not find)."""

from briefdesk.settings.paths import DATA_DIR
from briefdesk.settings.test import *  # noqa: F403

MEDIA_ROOT = DATA_DIR / "media"
BRIEFDESK_PRIVATE_ROOT = DATA_DIR / "private"
