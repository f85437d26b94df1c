from django.apps import AppConfig


class CitationsConfig(AppConfig):
    name = "briefdesk.citations"
    label = "citations"
    verbose_name = "Citations"
