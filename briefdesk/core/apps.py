from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "briefdesk.core"
    label = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_migrate

        from .checks import check_citeproc, check_email_security, check_secret_key
        from .mail import use_reporting_notifiers
        from .origin import sync_origin_after_migrate
        from .roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
        # The Site and the stored citations follow BRIEFDESK_BASE_URL wherever migrate runs.
        post_migrate.connect(sync_origin_after_migrate, sender=self)
        # Review emails that fail say so to the editor (commands too, not only the admin).
        use_reporting_notifiers()
        checks.register(check_secret_key, checks.Tags.security)
        checks.register(check_email_security, checks.Tags.security)
        checks.register(check_citeproc)
        # The page cache forgets exactly what a change shows on (pagecache/signals.py).
        from .pagecache.signals import connect

        connect()
