from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ContactCentreConfig(AppConfig):
    name = "contactcentre"
    verbose_name = "Contact centre"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contactcentre.roles import ensure_role_groups

        # Like Django's own permissions, the role groups are set up after migrating.
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="contactcentre.roles")
