from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "briefdesk.importers"
    label = "importers"
    verbose_name = "Importers"
