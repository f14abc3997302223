"""Every state change of the chat goes through one of these functions (see STYLE.md)."""

from chat.actions.flow import (
    assign_waiting,
    bot_answers,
    handle_citizen_message,
    refresh_wait_estimates,
    request_adviser,
)
from chat.actions.housekeeping import housekeeping
from chat.actions.messages import (
    Posted,
    Started,
    apost_citizen_message,
    apost_message,
    citizen_saw,
    citizen_stays,
    hash_token,
    post_citizen_message,
    post_message,
    staff_saw,
    start_conversation,
)
from chat.actions.staff import (
    accept_conversation,
    add_note,
    astaff_says,
    citizen_ends,
    close_conversation,
    close_inactive,
    join_as_supervisor,
    staff_says,
    transfer_conversation,
)
from chat.actions.transcripts import email_transcript

__all__ = [
    "Posted",
    "Started",
    "accept_conversation",
    "add_note",
    "apost_citizen_message",
    "apost_message",
    "assign_waiting",
    "astaff_says",
    "bot_answers",
    "citizen_ends",
    "citizen_saw",
    "citizen_stays",
    "close_conversation",
    "close_inactive",
    "email_transcript",
    "handle_citizen_message",
    "hash_token",
    "housekeeping",
    "join_as_supervisor",
    "post_citizen_message",
    "post_message",
    "refresh_wait_estimates",
    "request_adviser",
    "staff_saw",
    "staff_says",
    "start_conversation",
    "transfer_conversation",
]
