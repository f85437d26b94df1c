from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "briefdesk.core"
    label = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_migrate

        from .checks import check_email_security, check_secret_key
        from .roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
        checks.register(check_secret_key, checks.Tags.security)
        checks.register(check_email_security, checks.Tags.security)
