"""Factories for routing's models (tests/factories.py holds the spine's)."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from contactcentre.models import ContactStatus
from routing.models import AgentProfile, Presence, Queue, QueueEntry
from tests.factories import ContactFactory, StaffFactory


class QueueFactory(factory.django.DjangoModelFactory[Queue]):
    class Meta:
        model = Queue
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"queue-{n}")
    name = factory.LazyAttribute(lambda q: q.slug.title())


class AgentFactory(factory.django.DjangoModelFactory[AgentProfile]):
    """An available agent; pass ``skills=[queue, ...]``."""

    class Meta:
        model = AgentProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(StaffFactory)
    presence = Presence.AVAILABLE
    capacity = 3
    idle_since = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def skills(self, create: bool, extracted: list[Queue] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.skills.set(extracted)


class WaitingEntryFactory(factory.django.DjangoModelFactory[QueueEntry]):
    class Meta:
        model = QueueEntry

    contact = factory.SubFactory(ContactFactory, status=ContactStatus.WAITING)
    queue = factory.SubFactory(QueueFactory)
    priority = 3
    enqueued_at = factory.LazyFunction(timezone.now)
