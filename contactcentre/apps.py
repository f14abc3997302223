from django.apps import AppConfig


class ContactCentreConfig(AppConfig):
    name = "contactcentre"
    verbose_name = "Contact centre"
    default_auto_field = "django.db.models.BigAutoField"
