"""The routing decision: a pure function of a contact, the clock and availability.

No database here. ``decide`` takes plain dataclasses and returns a ``Decision`` with readable
reasons, so the whole policy can be tested exhaustively and explained to a manager. The policy
itself is data (``PolicyConfig``) that ``selectors.policy_config`` loads from what managers edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from routing.choices import FORM_TOPICS, NEED_TOPICS, SUBJECT_TOPICS, Destination, Topic
from routing.language import looks_welsh
from routing.rules import Rule, matching_rules
from routing.waits import WaitEstimate


class TopicModel(Protocol):
    """A trained text classifier: topic probabilities for each text."""

    def probabilities(self, texts: list[str]) -> list[dict[str, float]]: ...


@dataclass(frozen=True)
class ContactDescription:
    """What is known about a contact when it arrives."""

    text: str = ""
    language: str = "en"
    form: str = ""
    repeat_contact: bool = False
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class QueueAvailability:
    """One queue at one moment. ``agents_available``: signed-in agents serving it."""

    queue: str
    is_open: bool
    next_opening: datetime | None = None
    agents_available: int = 0
    wait: WaitEstimate | None = None


@dataclass(frozen=True)
class Availability:
    queues: Mapping[str, QueueAvailability] = field(default_factory=dict)

    def of(self, queue: str) -> QueueAvailability:
        return self.queues.get(queue) or QueueAvailability(queue=queue, is_open=False)


@dataclass(frozen=True)
class TopicRoute:
    """Where contacts about one topic go. Managers edit these as ``routing.models.TopicRoute``."""

    topic: str
    reason: str
    precedence: int
    destination: str
    urgent: bool = False
    queue: str = ""
    priority: int | None = None
    form: str = ""
    fallback: str = Destination.WEBFORM
    fallback_form: str = "general"
    guidance: str = ""


@dataclass(frozen=True)
class PolicyConfig:
    routes: Mapping[str, TopicRoute]
    rules: tuple[Rule, ...] = ()
    model: TopicModel | None = None
    overflow_wait_minutes: int = 20
    overflow_form: str = "general"
    repeat_window_days: int = 7
    repeat_escalates_to: str = Topic.ACCOUNT
    min_confidence: float = 0.3
    need_confidence: float = 0.5


def needs_classifier(description: ContactDescription) -> bool:
    """Whether ``classify`` may ask the model about this contact: a chosen form that names its
    topic settles it; an empty text has nothing to read."""
    return description.form not in FORM_TOPICS and bool(description.text.strip())


class KnownTexts:
    """A ``TopicModel`` that has already worked out the probabilities of some texts, together
    in one call (a batch of contacts), and asks ``model`` about any other text. The model reads
    each text on its own, so the answers are the same either way."""

    def __init__(self, model: TopicModel, texts: list[str]) -> None:
        self.model = model
        distinct = list(dict.fromkeys(texts))
        self.known = dict(zip(distinct, model.probabilities(distinct), strict=True))

    def probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        unknown = [text for text in texts if text not in self.known]
        if unknown:
            self.known.update(zip(unknown, self.model.probabilities(unknown), strict=True))
        return [self.known[text] for text in texts]


@dataclass(frozen=True)
class Classification:
    """What a contact is about (``subject``), its ``needs``, and how each topic was found."""

    subject: str
    needs: frozenset[str]
    source: str
    confidence: float
    found_by: Mapping[str, str] = field(default_factory=dict)

    @property
    def topics(self) -> frozenset[str]:
        return self.needs | {self.subject}


@dataclass(frozen=True)
class Decision:
    destination: str
    queue: str | None
    priority: int | None
    form: str | None
    offers: tuple[str, ...]
    reasons: tuple[str, ...]
    topic: str
    urgent: bool
    classification: Classification | None = None

    def as_dict(self) -> dict[str, Any]:
        """The fields the ``route`` command prints and the try-the-policy page shows."""
        return {
            "destination": self.destination,
            "queue": self.queue,
            "priority": self.priority,
            "form": self.form,
            "offers": list(self.offers),
            "reasons": list(self.reasons),
        }


D = Destination
DEFAULT_ROUTES: dict[str, TopicRoute] = {
    route.topic: route
    for route in (
        TopicRoute(
            Topic.FRAUD, "urgent: suspected fraud", 10, D.AGENT, urgent=True, queue="fraud",
            priority=1, fallback=D.CHATBOT, fallback_form="fraud", guidance="report-fraud",
        ),
        TopicRoute(
            Topic.FOI, "must be in writing: Freedom of Information request", 20, D.WEBFORM,
            form="foi",
        ),
        TopicRoute(
            Topic.SAR, "must be in writing: request for a copy of personal data", 21, D.WEBFORM,
            form="sar",
        ),
        TopicRoute(
            Topic.COMPLAINT, "must be in writing: formal complaint", 22, D.WEBFORM,
            form="complaint",
        ),
        TopicRoute(
            Topic.ACCESSIBILITY, "accessibility needs stated", 30, D.AGENT,
            queue="accessibility", priority=2,
        ),
        TopicRoute(Topic.WELSH, "Welsh language", 40, D.AGENT, queue="welsh", priority=3),
        TopicRoute(
            Topic.IDENTITY, "complex: problem proving identity", 50, D.AGENT, queue="identity",
            priority=3,
        ),
        TopicRoute(
            Topic.ACCOUNT, "complex: account problem", 51, D.AGENT, queue="general", priority=3
        ),
        TopicRoute(Topic.PERSON, "asked for a person", 52, D.AGENT, queue="general", priority=3),
        TopicRoute(
            Topic.HOW_TO, "simple question: the chatbot answers at any hour", 60, D.CHATBOT
        ),
        TopicRoute(
            Topic.GENERAL, "general question: the chatbot answers first", 70, D.CHATBOT
        ),
    )
}  # fmt: skip
DEFAULT_CONFIG = PolicyConfig(routes=DEFAULT_ROUTES)


def classify(description: ContactDescription, config: PolicyConfig) -> Classification:
    """Subject and needs of a contact: the chosen form, then rules, then the trained model."""
    found_by: dict[str, str] = {}
    for need in description.needs:
        if need in NEED_TOPICS:
            found_by[need] = "stated by the citizen"
    if looks_welsh(description.text):
        found_by[Topic.WELSH] = "written in Welsh"
    elif description.language == "cy":
        found_by[Topic.WELSH] = "the citizen chose Welsh"
    matched = matching_rules(config.rules, description.text)
    for rule in matched:
        if rule.topic in NEED_TOPICS:
            found_by.setdefault(rule.topic, f"recognised by the rule '{rule.name}'")
    subject_rules = [rule for rule in matched if rule.topic in SUBJECT_TOPICS]

    subject: str
    if description.form in FORM_TOPICS:
        subject, source, confidence = FORM_TOPICS[description.form], "form", 1.0
    elif subject_rules:
        best = min(subject_rules, key=lambda rule: _precedence(config, rule.topic))
        subject, source, confidence = best.topic, f"rule: {best.name}", 1.0
        subject, source, confidence = _more_pressing(
            description.text, config, (subject, source, confidence)
        )
    else:
        subject, source, confidence = _model_subject(description.text, config, found_by)
    found_by.setdefault(subject, _describe_source(source, confidence))
    needs = frozenset(found_by) & NEED_TOPICS
    return Classification(str(subject), needs, source, confidence, found_by)


def _model_subject(
    text: str, config: PolicyConfig, found_by: dict[str, str]
) -> tuple[str, str, float]:
    if config.model is None or not text.strip():
        return Topic.GENERAL, "no classifier", 0.0
    probabilities = config.model.probabilities([text])[0]
    top = max(probabilities, key=probabilities.__getitem__)
    for topic, probability in probabilities.items():
        if topic in NEED_TOPICS and (
            probability >= config.need_confidence
            or (topic == top and probability >= config.min_confidence)
        ):
            found_by.setdefault(topic, _describe_source("classifier", probability))
    subjects = {t: p for t, p in probabilities.items() if t in SUBJECT_TOPICS}
    subject = max(subjects, key=subjects.__getitem__)
    if subjects[subject] < config.min_confidence:
        return Topic.GENERAL, "classifier", subjects[subject]
    return subject, "classifier", subjects[subject]


def _more_pressing(
    text: str, config: PolicyConfig, by_rule: tuple[str, str, float]
) -> tuple[str, str, float]:
    """A rule names what a message is about, but not everything in it: "locked out, and there
    is an email address on my account I never added" is fraud. The classifier may raise the
    subject to a more pressing one (a route of higher precedence) when it is confident."""
    if config.model is None:
        return by_rule
    probabilities = config.model.probabilities([text])[0]
    pressing = [
        topic
        for topic, probability in probabilities.items()
        if topic in SUBJECT_TOPICS
        and probability >= config.need_confidence
        and _precedence(config, topic) < _precedence(config, by_rule[0])
    ]
    if not pressing:
        return by_rule
    return pressing[0], "classifier", probabilities[pressing[0]]


def _precedence(config: PolicyConfig, topic: str) -> int:
    route = config.routes.get(topic)
    return route.precedence if route else 1000


def decide(
    description: ContactDescription,
    now: datetime,
    availability: Availability,
    config: PolicyConfig = DEFAULT_CONFIG,
    classification: Classification | None = None,
) -> Decision:
    """Where this contact goes now, and why."""
    classified = classification or classify(description, config)
    routes = [config.routes[t] for t in classified.topics if t in config.routes]
    route = min(routes, key=lambda r: r.precedence, default=config.routes[Topic.GENERAL])
    reasons = [route.reason, classified.found_by.get(route.topic) or _describe_source("", 0)]
    if description.repeat_contact and route.destination == D.CHATBOT:
        route = config.routes[config.repeat_escalates_to]
        reasons.append(
            f"contacted us again within {config.repeat_window_days} days: treated as complex"
        )
        reasons.append(route.reason)
    return _place(route, classified, now, availability, config, reasons)


def _describe_source(source: str, confidence: float) -> str:
    if source == "classifier":
        return f"recognised by the classifier ({confidence:.0%} sure)"
    if source == "form":
        return "from the form the citizen chose"
    if source.startswith("rule: "):
        return f"recognised by the rule '{source.removeprefix('rule: ')}'"
    return "not recognised: treated as a general question"


def _place(
    route: TopicRoute,
    classified: Classification,
    now: datetime,
    availability: Availability,
    config: PolicyConfig,
    reasons: list[str],
) -> Decision:
    def decision(destination: str, **fields: Any) -> Decision:
        return Decision(
            destination=destination,
            queue=fields.get("queue"),
            priority=fields.get("priority"),
            form=fields.get("form") or None,
            offers=tuple(fields.get("offers", ())),
            reasons=tuple(reasons),
            topic=route.topic,
            urgent=route.urgent,
            classification=classified,
        )

    if route.destination == D.WEBFORM:
        return decision(D.WEBFORM, form=route.form)
    if route.destination == D.CHATBOT:
        return decision(D.CHATBOT, form=route.form)

    queue = availability.of(route.queue)
    if queue.is_open and queue.agents_available > 0:
        reasons.append(f"agents available in the {route.queue} queue")
        offers = _overflow(route, queue, config, reasons)
        form = config.overflow_form if offers else ""
        return decision(
            D.AGENT, queue=route.queue, priority=route.priority, offers=offers, form=form
        )

    reasons.append(_why_no_agents(queue, now))
    offers = [f"webform:{route.fallback_form}"] if route.fallback_form else []
    if route.fallback == D.CHATBOT:
        if route.guidance:
            offers.insert(0, f"guidance:{route.guidance}")
            reasons.append(f"the chatbot gives {route.guidance.replace('-', ' ')} guidance")
        if route.fallback_form:
            urgent = "urgent " if route.urgent else ""
            reasons.append(f"offered: {urgent}{route.fallback_form} webform")
        return decision(D.CHATBOT, form=route.fallback_form, offers=offers)
    reasons.append(f"sent to the {route.fallback_form} webform instead")
    return decision(D.WEBFORM, form=route.fallback_form)


def _overflow(
    route: TopicRoute, queue: QueueAvailability, config: PolicyConfig, reasons: list[str]
) -> list[str]:
    if route.urgent or queue.wait is None:
        return []
    if queue.wait.high_minutes <= config.overflow_wait_minutes:
        reasons.append(f"estimated wait {queue.wait.describe()}")
        return []
    reasons.append(
        f"estimated wait {queue.wait.describe()} is over {config.overflow_wait_minutes} minutes: "
        f"offered the {config.overflow_form} webform as well"
    )
    return [f"webform:{config.overflow_form}"]


def _why_no_agents(queue: QueueAvailability, now: datetime) -> str:
    if queue.is_open:
        return f"no agents signed in for the {queue.queue} queue"
    if queue.next_opening is None:
        return _("agents closed: no opening time set")
    return _("agents closed: opens %(when)s") % {"when": describe_opening(queue.next_opening, now)}


def describe_opening(opening: datetime, now: datetime) -> str:
    """ "Monday 08:00" ("Dydd Llun 08:00" in Welsh), with the date too when it is a week or more
    away, in the active language and in ``opening``'s own time zone."""
    if opening - now >= timedelta(days=6):
        # Translators: a date format (Django's "date" filter letters), e.g. Monday 7 December 08:00.
        return formats.date_format(opening, pgettext("next opening a week away", "l j F H:i"))
    # Translators: a date format (Django's "date" filter letters), e.g. Monday 08:00.
    return formats.date_format(opening, pgettext("next opening this week", "l H:i"))
