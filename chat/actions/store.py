"""The statement behind ``post_message`` on PostgreSQL: lock, number and store in one.

Every chat message goes through here, so it is one SQL statement, its own transaction when no
outer one is open, rather than a ``BEGIN``, a locking read, an insert, an update and a
``COMMIT``: one round trip to the database instead of five. Its steps, each a ``WITH`` clause:

1. ``conv``: the conversation row, locked (``FOR UPDATE``): the sequence number is taken under
   the lock, so numbers never repeat or skip; with the contact's status.
2. ``allowed``: for a member of staff's message (``participant_only``), whether they are in
   the conversation (a participant who has not left).
3. ``dup``: a message of this conversation with the same client id, if any.
4. ``ins``: the new message, numbered ``last_seq + 1``, unless the writer is not allowed, the
   client id was used already, or the contact is closed and ``open_only`` asks for an open one.
5. ``upd``: the conversation's ``last_seq`` (and, for a citizen's message, when they were last
   active), only if a message was stored.
6. ``first_response``: for an adviser's message (``first_response``), the contact's first
   response time, if it has none yet.

The statement reads ``dup`` from the snapshot it started with: a sender that sends the same
client id twice at once, one copy waiting for the other's lock, meets the unique constraint on
``(conversation, client_id)`` instead, and the caller returns the stored copy.

Other databases use the ORM path in ``messages``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from contactcentre import asyncdb
from contactcentre.models import ContactStatus

_POST = """
WITH conv AS (
    SELECT c.id, c.last_seq, c.contact_id, k.status, k.public_id
    FROM chat_conversation c JOIN contactcentre_contact k ON k.id = c.contact_id
    WHERE c.id = %(conversation)s
    FOR UPDATE OF c
),
allowed AS (
    SELECT NOT %(participant_only)s OR EXISTS (
        SELECT 1 FROM chat_participant p
        WHERE p.conversation_id = %(conversation)s AND p.user_id = %(author)s
            AND p.left_at IS NULL
    ) AS ok
),
dup AS (
    SELECT m.id FROM chat_message m
    WHERE %(client_id)s <> '' AND m.conversation_id = %(conversation)s
        AND m.client_id = %(client_id)s
    LIMIT 1
),
ins AS (
    INSERT INTO chat_message
        (conversation_id, seq, kind, author_id, client_id, body, masked, meta, created_at)
    SELECT conv.id, conv.last_seq + 1, %(kind)s, %(author)s, %(client_id)s, %(body)s,
        %(masked)s, %(meta)s::jsonb, %(now)s
    FROM conv
    WHERE (SELECT ok FROM allowed) AND NOT EXISTS (SELECT 1 FROM dup)
        AND NOT (%(open_only)s AND conv.status = %(closed)s)
    RETURNING id, seq
),
upd AS (
    UPDATE chat_conversation c
    SET last_seq = ins.seq,
        citizen_active_at = CASE WHEN %(citizen)s THEN %(now)s ELSE c.citizen_active_at END
    FROM ins
    WHERE c.id = %(conversation)s
    RETURNING c.id
),
first_response AS (
    UPDATE contactcentre_contact k SET first_response_at = %(now)s
    FROM ins, conv
    WHERE %(first_response)s AND k.id = conv.contact_id AND k.first_response_at IS NULL
    RETURNING k.id
)
-- upd and first_response run whether read or not, as every data-modifying WITH clause does.
SELECT conv.status, conv.public_id, (SELECT id FROM dup), ins.id, ins.seq, (SELECT ok FROM allowed)
FROM conv LEFT JOIN ins ON true
"""


@dataclass(frozen=True)
class Stored:
    status: str  # the contact's, as the statement saw it under the lock
    public_id: str  # the contact's
    duplicate_of: int | None  # the message already stored with this client id
    message_id: int | None  # the new message, if one was stored
    seq: int | None
    allowed: bool  # False: the writer is not (or no longer) in the conversation


def _parameters(
    conversation_id: int,
    *,
    kind: str,
    body: str,
    masked: bool,
    author_id: int | None,
    client_id: str,
    meta: dict[str, Any],
    now: datetime,
    open_only: bool,
    citizen: bool,
    participant_only: bool = False,
    first_response: bool = False,
) -> dict[str, Any]:
    return {
        "conversation": conversation_id,
        "kind": kind,
        "author": author_id,
        "client_id": client_id,
        "body": body,
        "masked": masked,
        "meta": json.dumps(meta),
        "now": now,
        "open_only": open_only,
        "closed": ContactStatus.CLOSED.value,
        "citizen": citizen,
        "participant_only": participant_only,
        "first_response": first_response,
    }


def _stored(row: tuple[Any, ...] | None) -> Stored | None:
    if row is None:
        return None
    status, public_id, duplicate_of, message_id, seq, allowed = row
    return Stored(str(status), str(public_id), duplicate_of, message_id, seq, bool(allowed))


def store_message(conversation_id: int, **fields: Any) -> Stored | None:
    """Store one message in one statement, on Django's connection (so inside the caller's
    transaction, if any); ``None`` if the conversation does not exist. ``fields``: those of
    ``_parameters``."""
    with connection.cursor() as cursor:
        cursor.execute(_POST, _parameters(conversation_id, **fields))
        return _stored(cursor.fetchone())


async def astore_message(conversation_id: int, **fields: Any) -> Stored | None:
    """The same, from an event loop, on a connection of ``contactcentre.asyncdb``'s pool: its
    own transaction."""
    pool = await asyncdb.pool()
    async with pool.connection() as conn:
        cursor = await conn.execute(_POST, _parameters(conversation_id, **fields))
        return _stored(await cursor.fetchone())
