"""Queued work is published after the commit, from the background publisher, not from the
request; several submissions go as one message; a publish that fails leaves the work to the
sweep; a batch that fails for one submission retries that one alone."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from contactcentre.celery import app
from tests.webforms.factories import DraftFactory
from webforms import publisher
from webforms.actions import intake
from webforms.actions.intake import submit_draft, unfinished_work
from webforms.models import Submission
from webforms.tasks import process_submission, process_submissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_broker() -> Iterator[None]:
    """Tasks are published, as under Daphne (the autouse fixture made them eager)."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


class Recorder:
    """Stands in for ``apply_async``: records what would be published, and from which thread."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[Any, str]] = []
        self.error = error

    def __call__(self, args: Any, **options: Any) -> None:
        self.calls.append((args, threading.current_thread().name))
        if self.error is not None:
            raise self.error


def test_a_submission_is_published_after_the_commit_from_the_publisher_thread(
    catalogue: None, real_broker: None, django_capture_on_commit_callbacks: Any
) -> None:
    single, batch = Recorder(), Recorder()
    with (
        mock.patch.object(process_submission, "apply_async", single),
        mock.patch.object(process_submissions, "apply_async", batch),
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            submission = submit_draft(DraftFactory(), citizen=None, now=timezone.now())
            assert single.calls == []  # nothing before the commit
            assert batch.calls == []
        assert len(callbacks) == 1
        callbacks[0]()  # the commit: hands the id over and returns
        assert publisher.flush(5)
    assert batch.calls == []
    assert single.calls == [((submission.pk,), "webforms-publisher")]


def test_work_for_several_submissions_goes_as_one_message() -> None:
    single, batch = Recorder(), Recorder()
    with (
        mock.patch.object(process_submission, "apply_async", single),
        mock.patch.object(process_submissions, "apply_async", batch),
    ):
        publisher.publish([(process_submission, process_submissions, pk) for pk in (4, 5, 6)])
        publisher.publish([(process_submission, process_submissions, 7)])
    assert [args for args, _thread in batch.calls] == [([4, 5, 6],)]
    assert [args for args, _thread in single.calls] == [(7,)]


def test_every_submission_handed_over_at_once_is_published_exactly_once(
    real_broker: None,
) -> None:
    single, batch = Recorder(), Recorder()
    with (
        mock.patch.object(process_submission, "apply_async", single),
        mock.patch.object(process_submissions, "apply_async", batch),
    ):
        for pk in range(1, 121):
            publisher.hand_over(process_submission, pk, batch_task=process_submissions)
        assert publisher.flush(5)
    published = [args[0] for args, _ in single.calls]
    for args, _thread in batch.calls:
        assert len(args[0]) <= publisher.MAX_BATCH
        published.extend(args[0])
    assert sorted(published) == list(range(1, 121))
    assert len(batch.calls) < 120  # some went together


def test_a_failed_publish_leaves_the_committed_submission_to_the_sweep(
    catalogue: None,
    real_broker: None,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = Recorder(ConnectionError("broker down"))
    with (
        mock.patch.object(process_submission, "apply_async", down),
        mock.patch.object(process_submissions, "apply_async", down),
        caplog.at_level(logging.WARNING, logger="webforms.publisher"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            submission = submit_draft(DraftFactory(), citizen=None, now=timezone.now())
        assert publisher.flush(5)
    assert len(down.calls) == 1
    assert "left to the sweep" in caplog.text
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.routed_at is None
    assert stored.acknowledged_at is None
    later = stored.submitted_at + timedelta(hours=1)
    assert submission.pk in unfinished_work(later)[0]


def test_a_batch_retries_a_failing_submission_alone_and_finishes_the_others(
    catalogue: None,
) -> None:
    first, second = (
        submit_draft(DraftFactory(), citizen=None, now=timezone.now()) for _ in range(2)
    )
    Submission.objects.filter(pk__in=[first.pk, second.pk]).update(
        routed_at=None, acknowledged_at=None
    )
    real = intake.process_submission

    def fails_for_first(submission_id: int, *, now: Any, **batched: Any) -> None:
        if submission_id == first.pk:
            raise RuntimeError("database blip")
        real(submission_id, now=now, **batched)

    retried = Recorder()
    with (
        mock.patch.object(intake, "process_submission", fails_for_first),
        mock.patch.object(process_submission, "apply_async", retried),
    ):
        process_submissions([first.pk, second.pk])
    assert [args for args, _thread in retried.calls] == [(first.pk,)]
    assert Submission.objects.get(pk=second.pk).routed_at is not None
    assert Submission.objects.get(pk=first.pk).routed_at is None
