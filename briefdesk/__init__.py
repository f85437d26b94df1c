"""briefdesk: write, publish, cite and preserve analysis briefs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("briefdesk")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"
