"""The statement behind ``submit_draft`` on PostgreSQL: claim the draft, open the contact and
write the submission in one.

Every accepted form goes through here, so it is one SQL statement, its own transaction, rather
than a ``BEGIN``, a status-checked update, two inserts and a ``COMMIT``: one round trip to the
database instead of five, and none of the ORM's per-statement work. Its steps, each a ``WITH``
clause:

1. ``complete``: whether every required question of the form has an answer (in the answers
   being sent); nothing is written otherwise.
2. ``claimed``: the draft, moved from active to submitted by a status-checked update, which
   also locks it: a concurrent submit of the same draft waits, then finds it already sent.
3. ``contact``: the webform contact (as ``contactcentre.actions.open_contact`` makes it), only
   if the draft was claimed.
4. ``sent``: the submission, with its reference and the draft's idempotency key (both unique:
   a clash raises ``IntegrityError`` and the whole statement, claim included, is undone).
5. ``files``: the draft's attachments, moved to the submission, when the form takes them.

Other databases use the ORM path in ``intake``. ``tests/webforms/test_pages.py`` checks that
both paths store the same rows.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from contactcentre.errors import ContactCentreError
from contactcentre.models import Channel, ContactStatus
from webforms.models import DraftStatus

_SUBMIT = """
WITH complete AS (
    SELECT NOT EXISTS (
        SELECT 1 FROM webforms_formfield f
        WHERE f.form_id = %(form)s AND f.required
            AND COALESCE(%(answers)s::jsonb ->> f.name, '') = ''
    ) AS ok
),
claimed AS (
    UPDATE webforms_draft SET status = %(submitted)s
    WHERE id = %(draft)s AND status = %(active)s AND (SELECT ok FROM complete)
    RETURNING id
),
contact AS (
    INSERT INTO contactcentre_contact
        (public_id, channel, citizen_id, topic, urgency, language, status, outcome, created_at)
    SELECT %(contact_public_id)s, %(channel)s, %(citizen)s, %(topic)s, %(urgency)s,
        %(language)s, %(new)s, '', %(now)s
    FROM claimed
    RETURNING id
),
sent AS (
    INSERT INTO webforms_submission
        (reference, form_id, contact_id, idempotency_key, citizen_id, email, language, answers,
         from_contact_id, submitted_at, due_at, queue_slug)
    SELECT %(reference)s, %(form)s, contact.id, %(idempotency_key)s, %(citizen)s, %(email)s,
        %(language)s, %(answers)s::jsonb, %(from_contact)s, %(now)s, %(due)s, %(queue)s
    FROM contact
    RETURNING id, contact_id
),
files AS (
    UPDATE webforms_attachment a SET submission_id = sent.id
    FROM sent
    WHERE %(attachments)s AND a.draft_id = %(draft)s
    RETURNING a.id
)
-- files runs whether read or not, as every data-modifying WITH clause does.
SELECT complete.ok, sent.id, sent.contact_id FROM complete LEFT JOIN sent ON true
"""


class Unanswered(ContactCentreError):
    """A required question has no answer: nothing was written."""

    code = "unanswered"


@dataclass(frozen=True)
class Stored:
    submission_id: int
    contact_id: int
    contact_public_id: uuid.UUID


def submit_in_one_statement(
    *,
    draft_id: int,
    reference: str,
    form_id: int,
    topic: str,
    urgency: str,
    citizen_id: int | None,
    email: str,
    language: str,
    answers: dict[str, str],
    idempotency_key: uuid.UUID,
    from_contact_id: int | None,
    now: datetime,
    due: datetime,
    queue: str,
    attachments: bool,
) -> Stored | None:
    """Claim, open and write in one statement on Django's connection. ``None`` if the draft
    was no longer active (already sent, or expired): nothing was written. Raises
    ``Unanswered`` if a required question has no answer in ``answers``."""
    contact_public_id = uuid.uuid4()
    parameters: dict[str, Any] = {
        "draft": draft_id,
        "submitted": DraftStatus.SUBMITTED.value,
        "active": DraftStatus.ACTIVE.value,
        "contact_public_id": contact_public_id,
        "channel": Channel.WEBFORM.value,
        "citizen": citizen_id,
        "topic": topic,
        "urgency": urgency,
        "language": language,
        "new": ContactStatus.NEW.value,
        "now": now,
        "reference": reference,
        "form": form_id,
        "idempotency_key": idempotency_key,
        "email": email,
        "answers": json.dumps(answers),
        "from_contact": from_contact_id,
        "due": due,
        "queue": queue,
        "attachments": attachments,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SUBMIT, parameters)
        row = cursor.fetchone()
    assert row is not None  # complete always has its one row
    complete, submission_id, contact_id = row
    if not complete:
        raise Unanswered("A required question has no answer.")
    if submission_id is None:
        return None
    return Stored(int(submission_id), int(contact_id), contact_public_id)
