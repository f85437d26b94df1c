from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "briefdesk.feeds"
    label = "feeds"
    verbose_name = "Feeds"
