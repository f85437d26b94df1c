from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "briefdesk.search"
    label = "briefdesk_search"
    verbose_name = "Search"

    def ready(self) -> None:
        from . import signals  # noqa: F401
