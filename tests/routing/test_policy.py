"""The routing decision, as a pure function: no database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.choices import Destination, Topic
from routing.classifier import default_model
from routing.demo import DEMO_RULES
from routing.hours import OpeningHours, Session, is_open, next_opening
from routing.policy import (
    DEFAULT_CONFIG,
    Availability,
    ContactDescription,
    PolicyConfig,
    QueueAvailability,
    decide,
    describe_opening,
)
from routing.rules import Rule
from routing.waits import WaitEstimate

QUEUES = ("general", "identity", "fraud", "accessibility", "welsh")
NOW = datetime(2026, 3, 10, 11, tzinfo=UTC)  # a Tuesday
MONDAY_8AM = datetime(2026, 3, 16, 8, tzinfo=UTC)
CONFIG = PolicyConfig(
    routes=DEFAULT_CONFIG.routes,
    rules=tuple(Rule(name, kind, pattern, topic) for name, kind, topic, pattern in DEMO_RULES),
    model=default_model(),
)


def staffed(wait: WaitEstimate | None = None) -> Availability:
    return Availability(
        {q: QueueAvailability(q, is_open=True, agents_available=2, wait=wait) for q in QUEUES}
    )


def closed() -> Availability:
    return Availability(
        {q: QueueAvailability(q, is_open=False, next_opening=MONDAY_8AM) for q in QUEUES}
    )


def route(text: str, availability: Availability | None = None, **fields: object) -> dict:
    description = ContactDescription(text=text, **fields)  # type: ignore[arg-type]
    return decide(description, NOW, availability or staffed(), CONFIG).as_dict()


def test_suspected_fraud_goes_straight_to_the_fraud_queue_at_priority_1() -> None:
    decision = route("someone rang pretending to be the bank and now I can't get into my account")
    assert decision["destination"] == "agent"
    assert (decision["queue"], decision["priority"]) == ("fraud", 1)
    assert decision["reasons"][0] == "urgent: suspected fraud"


def test_fraud_out_of_hours_gets_safety_guidance_and_the_urgent_fraud_form() -> None:
    decision = route("my account has been hacked", closed())
    assert decision["destination"] == "chatbot"
    assert decision["form"] == "fraud"
    assert "webform:fraud" in decision["offers"]
    assert "guidance:report-fraud" in decision["offers"]
    assert "agents closed: opens Monday 08:00" in decision["reasons"]


def test_a_welsh_request_is_told_the_opening_day_in_welsh() -> None:
    with translation.override("cy"):
        decision = route("my account has been hacked", closed())
        a_week_away = describe_opening(MONDAY_8AM + timedelta(days=7), NOW)
    assert any(reason.endswith("Dydd Llun 08:00") for reason in decision["reasons"])
    assert a_week_away == "Dydd Llun 23 Mawrth 08:00"


def test_an_opening_a_week_or_more_away_gives_the_date() -> None:
    assert describe_opening(MONDAY_8AM, NOW) == "Monday 08:00"
    assert describe_opening(MONDAY_8AM + timedelta(days=7), NOW) == "Monday 23 March 08:00"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("I'd like to make an FOI request about how much the app cost", "foi"),
        ("please send me a copy of all the data you hold about me", "sar"),
        ("I want to make a formal complaint about the adviser I spoke to", "complaint"),
    ],
)
@pytest.mark.parametrize("availability", [staffed(), closed()], ids=["open", "closed"])
def test_requests_that_must_be_in_writing_go_to_their_webform_at_any_hour(
    text: str, form: str, availability: Availability
) -> None:
    decision = route(text, availability)
    assert (decision["destination"], decision["form"]) == ("webform", form)


@pytest.mark.parametrize("availability", [staffed(), closed()], ids=["open", "closed"])
def test_simple_how_to_questions_go_to_the_chatbot_at_any_hour(
    availability: Availability,
) -> None:
    for text in ("how do I reset my password", "the security code hasn't come", "what is GovSign"):
        assert route(text, availability)["destination"] == "chatbot", text


@pytest.mark.parametrize(
    ("text", "queue"),
    [
        ("I've tried the face scan five times and it still says it can't match me", "identity"),
        ("my name on my passport is different from my bank so the check fails", "identity"),
        ("lost my phone and I never saved any backup codes, can't sign in", "general"),
        ("can I talk to a real person please", "general"),
    ],
)
def test_complex_problems_go_to_agents_when_open_else_the_general_webform(
    text: str, queue: str
) -> None:
    assert route(text)["destination"] == "agent"
    assert (route(text)["queue"], route(text)["priority"]) == (queue, 3)
    assert route(text, closed())["destination"] == "webform"
    assert route(text, closed())["form"] == "general"


def test_stated_accessibility_needs_go_to_the_accessibility_queue() -> None:
    decision = route("I use a screen reader and the upload page is not read out")
    assert (decision["queue"], decision["priority"]) == ("accessibility", 2)
    assert route("anything", needs=frozenset({"accessibility"}))["queue"] == "accessibility"


def test_welsh_contacts_go_to_the_welsh_queue_or_the_general_webform() -> None:
    assert route("Sut ydw i'n newid fy rhif ffôn?")["queue"] == "welsh"
    assert route("how do I reset my password", language="cy")["queue"] == "welsh"
    assert route("Rydw i angen help gyda fy nghyfrif", closed())["form"] == "general"


def test_a_repeat_contact_with_a_simple_question_is_treated_as_complex() -> None:
    decision = route("how do I reset my password", repeat_contact=True)
    assert decision["destination"] == "agent"
    assert any("again within 7 days" in reason for reason in decision["reasons"])


def test_a_long_wait_offers_the_webform_beside_a_non_urgent_queue() -> None:
    decision = route("can I talk to a real person please", staffed(WaitEstimate(15, 30)))
    assert decision["destination"] == "agent"
    assert decision["offers"] == ["webform:general"]
    assert decision["form"] == "general"
    assert route("can I talk to a person", staffed(WaitEstimate(5, 10)))["offers"] == []


def test_urgent_contacts_are_never_offered_the_overflow_webform() -> None:
    decision = route("I've been scammed", staffed(WaitEstimate(30, 60)))
    assert decision["destination"] == "agent"
    assert decision["offers"] == []


def test_an_open_queue_with_nobody_signed_in_falls_back() -> None:
    nobody = Availability({q: QueueAvailability(q, is_open=True) for q in QUEUES})
    decision = route("can I talk to a real person please", nobody)
    assert decision["destination"] == "webform"
    assert "no agents signed in for the general queue" in decision["reasons"]


def test_the_chosen_form_decides_the_topic() -> None:
    assert route("", form="foi")["form"] == "foi"
    assert route("", form="fraud")["queue"] == "fraud"


def test_manager_rules_win_over_the_classifier() -> None:
    rule = Rule("Parking", "phrase", "parking fine", Topic.COMPLAINT)
    config = PolicyConfig(routes=CONFIG.routes, rules=(rule,), model=CONFIG.model)
    decision = decide(ContactDescription("how do I pay a parking fine"), NOW, staffed(), config)
    assert decision.form == "complaint"
    assert "recognised by the rule 'Parking'" in decision.reasons


# Property-based: over any text, time, availability and flags.

texts = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "I think I've been scammed",
            "FOI request please",
            "how do I change my email",
            "I want a person",
            "I'm deaf",
            "Helo, sut mae newid fy nghyfrinair?",
            "my ID check failed again",
            "",
        ]
    ),
)
waits = st.none() | st.builds(
    lambda low, extra: WaitEstimate(low, low + extra), st.integers(0, 60), st.integers(0, 60)
)
availabilities = st.builds(
    lambda flags, agents, wait: Availability(
        {
            q: QueueAvailability(
                q, is_open=flag, agents_available=n, next_opening=MONDAY_8AM, wait=wait
            )
            for q, flag, n in zip(QUEUES, flags, agents, strict=True)
        }
    ),
    st.lists(st.booleans(), min_size=5, max_size=5),
    st.lists(st.integers(0, 3), min_size=5, max_size=5),
    waits,
)
descriptions = st.builds(
    ContactDescription,
    text=texts,
    language=st.sampled_from(["en", "cy"]),
    form=st.sampled_from(["", "general", "fraud", "foi", "sar", "complaint", "nonsense"]),
    repeat_contact=st.booleans(),
    needs=st.frozensets(st.sampled_from(["accessibility", "welsh", "person", "other"])),
)


@settings(max_examples=300, deadline=None)
@given(description=descriptions, availability=availabilities)
def test_no_contact_is_ever_lost_by_the_policy(
    description: ContactDescription, availability: Availability
) -> None:
    decision = decide(description, NOW, availability, CONFIG)
    assert decision.destination in Destination.values
    assert decision.reasons
    if decision.destination == Destination.AGENT:
        # Only to a queue somebody is serving right now.
        queue = availability.of(decision.queue or "")
        assert queue.is_open
        assert queue.agents_available > 0
        assert decision.priority is not None
    if decision.destination == Destination.WEBFORM:
        assert decision.form
    if decision.urgent:
        assert decision.destination == Destination.AGENT or "webform:fraud" in decision.offers
        assert decision.priority in (None, 1)
    else:
        assert decision.priority != 1


@settings(max_examples=200, deadline=None)
@given(description=descriptions, availability=availabilities)
def test_urgent_contacts_always_outrank_non_urgent_ones(
    description: ContactDescription, availability: Availability
) -> None:
    decision = decide(description, NOW, availability, CONFIG)
    urgent = decide(ContactDescription("I've been scammed"), NOW, availability, CONFIG)
    if decision.destination == urgent.destination == Destination.AGENT and not decision.urgent:
        assert (urgent.priority or 0) < (decision.priority or 0)


LIVE = OpeningHours(
    sessions=tuple(Session(day, time(8), time(20)) for day in range(5)),
)


@settings(max_examples=300, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2028, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    )
)
def test_decisions_change_exactly_at_opening_and_closing_times(at: datetime) -> None:
    """Around each boundary (bank holidays and clock changes included) the decision flips."""
    opening = next_opening(LIVE, at)
    assert opening is not None
    for moment, expect_agent in ((opening - timedelta(microseconds=1), False), (opening, True)):
        if moment < at:
            continue
        availability = Availability(
            {
                q: QueueAvailability(
                    q,
                    is_open=is_open(LIVE, moment),
                    agents_available=1 if is_open(LIVE, moment) else 0,
                    next_opening=next_opening(LIVE, moment),
                )
                for q in QUEUES
            }
        )
        decision = decide(
            ContactDescription("can I talk to a real person"), moment, availability, CONFIG
        )
        assert (decision.destination == Destination.AGENT) is expect_agent
