from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "briefdesk.core"
    label = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
