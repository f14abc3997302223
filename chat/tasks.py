"""Celery tasks of the chat. They take ids, call an action, and own their retries."""

from __future__ import annotations

from celery import shared_task

from chat import actions


@shared_task(ignore_result=True)
def chat_housekeeping() -> dict[str, int]:
    """Every 30 seconds (beat): unhandled messages, time-outs, assignment and wait estimates."""
    return actions.housekeeping()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_transcript_email(conversation_id: int, address: str) -> None:
    from chat.actions.transcripts import deliver_transcript_email

    deliver_transcript_email(conversation_id, address)
