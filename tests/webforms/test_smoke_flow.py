"""Every demo form, through its pages, to a committed submission with a reference."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from contactcentre.models import Channel, ContactStatus
from tests.webforms.conftest import submit
from webforms.models import FormDefinition, OutboundEmail
from webforms.reference import normalise_reference

SLUGS = ("general", "foi", "sar", "complaint", "fraud", "callback", "feedback")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slug", SLUGS)
def test_each_form_is_submitted_routed_and_acknowledged(catalogue: None, slug: str) -> None:
    client = Client()
    submission = submit(client, slug)
    assert normalise_reference(submission.reference, "GS") == submission.reference
    assert submission.contact.channel == Channel.WEBFORM
    submission.refresh_from_db()
    assert submission.routed_at is not None
    assert submission.acknowledged_at is not None
    assert submission.contact.status == ContactStatus.WAITING
    assert submission.queue_slug
    assert OutboundEmail.objects.get(dedupe_key=f"ack:{submission.pk}").status == "sent"
    assert len(mail.outbox) == 1
    assert submission.reference in mail.outbox[0].subject
    confirmation = client.get(f"/forms/sent/{submission.reference}/")
    assert submission.reference in confirmation.content.decode()
    assert FormDefinition.objects.count() == 7
