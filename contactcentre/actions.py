"""State changes on the spine. Each function is one thing that happens to a contact, in one
transaction; the apps call these rather than saving ``Contact`` themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from contactcentre.errors import InvalidTransition, StaleState
from contactcentre.models import (
    ALLOWED_TRANSITIONS,
    AuditEvent,
    Channel,
    Contact,
    ContactStatus,
    ContactTransition,
    Outcome,
    Urgency,
    User,
)
from contactcentre.roles import Role


def open_contact(
    *,
    channel: Channel,
    citizen: User | None = None,
    topic: str = "",
    urgency: Urgency = Urgency.ROUTINE,
    language: str = "en",
) -> Contact:
    """A citizen has got in touch on ``channel``."""
    if citizen is not None and not citizen.is_authenticated:
        citizen = None
    return Contact.objects.create(
        channel=channel, citizen=citizen, topic=topic, urgency=urgency, language=language
    )


def transition_contact(
    contact: Contact,
    to_status: ContactStatus,
    *,
    actor: User | None = None,
    reason: str = "",
    outcome: Outcome | None = None,
) -> Contact:
    """Move ``contact`` to ``to_status``, recording who did it and why.

    The update is status-checked: if someone else moved the contact first, ``StaleState`` is
    raised and nothing changes. Closing needs an outcome; any other status clears it.
    """
    from_status = contact.status
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise InvalidTransition(f"A {from_status} contact cannot become {to_status}.")
    if (to_status == ContactStatus.CLOSED) != (outcome is not None):
        raise InvalidTransition("An outcome is given when, and only when, a contact is closed.")

    now = timezone.now()
    changes: dict[str, Any] = {"status": to_status, "outcome": outcome or ""}
    if to_status == ContactStatus.CLOSED:
        changes["closed_at"] = now
        changes["resolved_at"] = now if outcome == Outcome.RESOLVED else None
    elif from_status == ContactStatus.CLOSED:
        changes["closed_at"] = None
        changes["resolved_at"] = None

    # No savepoint (two fewer round trips on every assignment): nothing inside the block raises
    # a domain error, so a caller's transaction is never left needing a rollback by this.
    with transaction.atomic(savepoint=False):
        updated = Contact.objects.filter(pk=contact.pk, status=from_status).update(**changes)
        if updated == 1:
            ContactTransition.objects.create(
                contact=contact,
                from_status=from_status,
                to_status=to_status,
                actor=actor,
                reason=reason,
            )
    if updated != 1:
        raise StaleState(f"Contact {contact.public_id} changed before this could be done.")
    for field, value in changes.items():
        setattr(contact, field, value)
    return contact


def classify_contact(contact: Contact, *, topic: str, urgency: Urgency) -> None:
    """Routing has decided what the contact is about and how urgent it is."""
    Contact.objects.filter(pk=contact.pk).update(topic=topic, urgency=urgency)
    contact.topic, contact.urgency = topic, urgency


def record_first_response(contact: Contact) -> None:
    """A person (not the bot) answered for the first time. Later calls change nothing."""
    now = timezone.now()
    Contact.objects.filter(pk=contact.pk, first_response_at__isnull=True).update(
        first_response_at=now
    )
    contact.refresh_from_db(fields=["first_response_at"])


@transaction.atomic
def enrol_staff_member(
    email: str, role: Role, *, first_name: str = "", password: str | None = None
) -> User:
    """Give ``email`` a staff role, creating the account if needed.

    The address counts as verified (an operator vouches for it). Supervisors and managers get
    the admin; every role must still set up an authenticator app at first sign-in.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, first_name=first_name)
    elif password is not None:
        user.set_password(password)
    if first_name:
        user.first_name = first_name
    user.is_staff = role in (Role.SUPERVISOR, Role.MANAGER)
    user.save()
    user.groups.set([Group.objects.get(name=role.value)])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def record_audit_event(
    actor: User | None,
    action: str,
    obj: Any,
    **detail: Any,
) -> AuditEvent:
    """A member of staff read or changed personal data held in ``obj``."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail,
    )


def record_audit_events(
    actor: User | None,
    action: str,
    objs: Sequence[Any],
    **detail: Any,
) -> list[AuditEvent]:
    """The same read of several objects (a console opening all its chats): one insert."""
    if not objs:
        return []
    who = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=who,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            detail=detail,
        )
        for obj in objs
    )
