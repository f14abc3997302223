"""Demo queues, opening hours, routing policy and rules: live agents Monday to Friday, 08:00 to
20:00 UK time, closing early on Christmas Eve."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from contactcentre.models import User
from routing.choices import RuleKind, Topic
from routing.models import (
    AgentProfile,
    ClassificationRule,
    Closure,
    OpeningSession,
    PolicySettings,
    Queue,
    Schedule,
    TopicRoute,
    Weekday,
)
from routing.policy import DEFAULT_ROUTES

DEMO_QUEUES = (
    ("general", "General help", "Help with a GovSign account."),
    ("identity", "Proving identity", "Problems proving who you are."),
    ("fraud", "Fraud and scams", "Suspected fraud, identity theft and accounts taken over."),
    ("accessibility", "Accessibility", "Help for people with access needs."),
    ("welsh", "Welsh language", "Help in Welsh."),
)
WORKING_DAYS = (
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
    Weekday.FRIDAY,
)
LONDON = ZoneInfo("Europe/London")
EARLY_CLOSES = tuple(
    (datetime(year, 12, 24, 16, tzinfo=LONDON), datetime(year, 12, 24, 20, tzinfo=LONDON))
    for year in (2026, 2027)
)

# High-precision phrases and patterns; the trained classifier handles everything else.
DEMO_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Fraud words",
        RuleKind.PHRASE,
        Topic.FRAUD,
        "fraud\nfraudster\nfraudsters\nscam\nscammed\nscammer\nscammers\nidentity theft\n"
        "stolen my identity\nstole my identity\nhacked\nphishing\nwithout my permission\n"
        "pretending to be\ntaken over my account\naccount taken over\ntwyll\ntwyllwr\n"
        "dwyn fy hunaniaeth",
    ),
    (
        "Someone else in my account",
        RuleKind.PATTERN,
        Topic.FRAUD,
        r"\b(someone|somebody|a stranger|someone else)\b[^.?!]{0,30}\b(has changed|changed|"
        r"accessed|got into|signed in|signing in|logged in|logging in|taken over|broken into|"
        r"hacked|is using|has been using|opened an account|created an account)\b",
    ),
    (
        "Freedom of Information",
        RuleKind.PHRASE,
        Topic.FOI,
        "freedom of information\nfoi\nfoia\nfoi request\nrhyddid gwybodaeth\n"
        "freedom of info\nrequest for information\ninformation request",
    ),
    (
        "Copy of my data",
        RuleKind.PATTERN,
        Topic.SAR,
        r"\bsubject access\b|\bsar\b|\bcopy of (all )?(my|the) (personal )?(data|information)\b"
        r"|\b(data|information) (that )?you (hold|have|keep|store) (about|on) me\b",
    ),
    (
        "Complaints",
        RuleKind.PATTERN,
        Topic.COMPLAINT,
        r"\bcomplain(t|ts|ing|ed)?\b|\bcwyn\b|\bgwyno\b",
    ),
    (
        "Account locked",
        RuleKind.PATTERN,
        Topic.ACCOUNT,
        r"\b(account|acount|accoutn)('s| is| has| was| got| been| has been)* (locked|blocked|"
        r"suspended|disabled|deactivated|frozen)\b|\b(locked|frozen|blocked|suspended) "
        r"(account|acount)\b|\blocked out\b|\bnghyfrif wedi('i| cael ei) (gloi|rwystro)\b",
    ),
    (
        "Accessibility needs",
        RuleKind.PHRASE,
        Topic.ACCESSIBILITY,
        "deaf\nhard of hearing\nhearing impairment\nblind\npartially sighted\n"
        "visually impaired\nscreen reader\nsign language\nbsl\ndyslexia\ndyslexic\n"
        "learning disability\nlearning difficulty\nwheelchair\nautistic\nlow vision\n"
        "reasonable adjustments\neasy read\nbyddar\nddall\nfyddar\ndall\neyesight\npoor sight\n"
        "sight loss\nscreen magnifier\nlarge print\nbraille\nhearing aid\nvoice control\n"
        "speech recognition software\nadhd\ntremor\ntremors\nanabledd",
    ),
    (
        "Asks for Welsh",
        RuleKind.PATTERN,
        Topic.WELSH,
        r"\b(in|speak|speaks|speaking|speaker|speakers) welsh\b|\bwelsh[- ](speak\w*|language)\b"
        r"|\bcymraeg\b|\bgymraeg\b|\bmedium of welsh\b",
    ),
    (
        "Asks for a person",
        RuleKind.PATTERN,
        Topic.PERSON,
        r"\b(speak|talk|chat|put me through|transfer me|connect me)\b[^.?!]{0,25}\b(person|human|"
        r"someone|somebody|adviser|advisers|advisor|advisors|agent|staff|operator)\b"
        r"|\b(real|actual) (person|human)\b|\bhuman please\b"
        r"|^\W*(a |an )?(human|person|agent|adviser|advisor|operator)( please| pls| now)?\W*$",
    ),
)


@transaction.atomic
def load_demo_data() -> list[str]:
    schedule, created = Schedule.objects.get_or_create(
        slug=settings.LIVE_AGENT_SCHEDULE,
        defaults={"name": "Live agents", "timezone": "Europe/London"},
    )
    if created:
        OpeningSession.objects.bulk_create(
            OpeningSession(schedule=schedule, weekday=day, opens=time(8), closes=time(20))
            for day in WORKING_DAYS
        )
    for slug, name, description in DEMO_QUEUES:
        Queue.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "schedule": schedule}
        )
    for starts_at, ends_at in EARLY_CLOSES:
        Closure.objects.get_or_create(
            schedule=schedule,
            starts_at=starts_at,
            defaults={"ends_at": ends_at, "reason": "Christmas Eve: closing at 4pm"},
        )
    _load_policy()
    _load_agents()
    return [
        f"Queues: {', '.join(slug for slug, _n, _d in DEMO_QUEUES)}; "
        f"live agents Monday to Friday 08:00-20:00 Europe/London.",
        f"Routing: {TopicRoute.objects.count()} topic routes, "
        f"{ClassificationRule.objects.count()} classification rules.",
    ]


def _load_policy() -> None:
    if not PolicySettings.objects.exists():
        PolicySettings.objects.create()
    queues = {queue.slug: queue for queue in Queue.objects.all()}
    for route in DEFAULT_ROUTES.values():
        TopicRoute.objects.get_or_create(
            topic=route.topic,
            defaults={
                "reason": route.reason,
                "precedence": route.precedence,
                "destination": route.destination,
                "urgent": route.urgent,
                "queue": queues.get(route.queue),
                "priority": route.priority,
                "form": route.form,
                "fallback": route.fallback,
                "fallback_form": route.fallback_form,
                "guidance": route.guidance,
            },
        )
    for name, kind, topic, pattern in DEMO_RULES:
        ClassificationRule.objects.get_or_create(
            name=name, defaults={"kind": kind, "topic": topic, "pattern": pattern}
        )


def _load_agents() -> None:
    """The demo agent and supervisor serve every queue."""
    queues = list(Queue.objects.all())
    for email in ("agent@govsign.example", "supervisor@govsign.example"):
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        profile, created = AgentProfile.objects.get_or_create(user=user)
        if created:
            profile.skills.set(queues)
