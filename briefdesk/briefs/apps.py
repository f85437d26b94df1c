from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "briefdesk.briefs"
    label = "briefs"
    verbose_name = "Briefs"

    def ready(self) -> None:
        from . import checks, related_signals, signals  # noqa: F401
