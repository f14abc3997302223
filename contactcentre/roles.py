"""Staff roles. Each role is a Django group holding permissions; a higher role holds the lower
roles' permissions too, so a check names the least role that may do a thing."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from contactcentre.models import User


class Role(models.TextChoices):
    AGENT = "Agent", _("Agent")
    SUPERVISOR = "Supervisor", _("Supervisor")
    MANAGER = "Manager", _("Manager")


WORK_CONTACTS = "contactcentre.work_contacts"
SUPERVISE_CONTACTS = "contactcentre.supervise_contacts"
MANAGE_SERVICE = "contactcentre.manage_service"

# Codenames of the permissions each role's group holds.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.AGENT: ("work_contacts",),
    Role.SUPERVISOR: ("work_contacts", "supervise_contacts"),
    Role.MANAGER: ("work_contacts", "supervise_contacts", "manage_service"),
}

# The permission that a role's pages require.
ROLE_REQUIRES: dict[str, str] = {
    Role.AGENT: WORK_CONTACTS,
    Role.SUPERVISOR: SUPERVISE_CONTACTS,
    Role.MANAGER: MANAGE_SERVICE,
}


def ensure_role_groups(**kwargs: object) -> None:
    """Make each role's group hold exactly its permissions. Run after every ``migrate`` (and
    after a test flushes the database), so the groups always match ``ROLE_PERMISSIONS``."""
    from django.contrib.auth.models import Group, Permission

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label="contactcentre", codename__in=codenames
        )
        if len(permissions) != len(codenames):
            return  # permissions not created yet; the next post_migrate call completes it
        group.permissions.set(permissions)


def is_staff_member(user: User) -> bool:
    """Whether the person works in the contact centre (holds any role)."""
    return bool(user.is_authenticated and user.has_perm(WORK_CONTACTS))


def roles_of(user: User) -> list[str]:
    names = set(user.groups.values_list("name", flat=True))
    return [role.value for role in Role if role.value in names]
