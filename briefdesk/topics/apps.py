from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "briefdesk.topics"
    label = "topics"
    verbose_name = "Topic guides"
