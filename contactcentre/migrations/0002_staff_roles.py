"""Create the Agent, Supervisor and Manager groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Agent": ["work_contacts"],
    "Supervisor": ["work_contacts", "supervise_contacts"],
    "Manager": ["work_contacts", "supervise_contacts", "manage_service"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make ours exist now.
    app_config = apps.get_app_config("contactcentre")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label="contactcentre", codename__in=codenames
        )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contactcentre", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
