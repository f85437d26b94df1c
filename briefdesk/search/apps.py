from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "briefdesk.search"
    label = "briefdesk_search"
    verbose_name = "Search"
