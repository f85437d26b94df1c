from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "briefdesk.sources"
    label = "sources"
    verbose_name = "Sources"

    def ready(self) -> None:
        from . import archiving, publishing, signals  # noqa: F401
