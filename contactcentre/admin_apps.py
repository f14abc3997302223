from django.contrib.admin.apps import AdminConfig


class ContactCentreAdminConfig(AdminConfig):
    """Django's admin, with our site class (staff roles and a second factor required)."""

    default_site = "contactcentre.admin_site.ContactCentreAdminSite"
