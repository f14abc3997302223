"""Where other apps plug into the end of a chat.

``after_conversation_closed`` is called once for every conversation that closes (by an adviser,
a supervisor, the citizen, or the inactivity time-out), after the closing transaction has
committed. It is the call point for the satisfaction survey: the surveys app hooks in here by
adding its function to ``CLOSED_HANDLERS`` (for example from its ``AppConfig.ready``), and may
rely on the contact being closed with its outcome. The citizen's widget is told at the same
moment through the conversation's ``chat.state`` event (state ``closed``), which is where the
widget offers the survey link the surveys app provides.

A handler that fails is logged and never stops the others, nor undoes the close.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chat.models import Conversation

logger = logging.getLogger(__name__)

ClosedHandler = Callable[["Conversation"], None]
CLOSED_HANDLERS: list[ClosedHandler] = []


def after_conversation_closed(conversation: Conversation) -> None:
    """Run every registered handler for a conversation that has just closed."""
    for handler in list(CLOSED_HANDLERS):
        try:
            handler(conversation)
        except Exception:
            logger.exception("after_conversation_closed handler %r failed", handler)
