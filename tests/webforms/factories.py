"""Factories for webforms test data."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from webforms.models import Draft, FormDefinition


class DraftFactory(factory.django.DjangoModelFactory[Draft]):
    class Meta:
        model = Draft

    form = factory.LazyFunction(lambda: FormDefinition.objects.get(slug="general"))
    answers = factory.LazyFunction(
        lambda: {
            "full_name": "Jo Citizen",
            "email": "jo@example.org",
            "problem": "sign_in",
            "details": "I cannot sign in.",
        }
    )
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
