"""The demo form catalogue: seven forms in English and Welsh. Managers change them in the admin;
``load_demo_data`` only creates what is missing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from routing.models import AgentProfile, Queue, Schedule
from webforms.models import FieldKind, FormDefinition, FormField

K = FieldKind

NAME: dict[str, Any] = {
    "name": "full_name",
    "label_en": "Full name",
    "label_cy": "Enw llawn",
    "required_error_en": "Enter your full name",
    "required_error_cy": "Rhowch eich enw llawn",
    "max_length": 120,
}
EMAIL: dict[str, Any] = {
    "name": "email",
    "kind": K.EMAIL,
    "label_en": "Email address",
    "label_cy": "Cyfeiriad e-bost",
    "help_en": "We will send your reference number and our reply here.",
    "help_cy": "Byddwn yn anfon eich cyfeirnod a'n hateb yma.",
    "required_error_en": "Enter your email address",
    "required_error_cy": "Rhowch eich cyfeiriad e-bost",
}


def _details(name: str, en: str, cy: str, error_en: str, error_cy: str, **extra: Any) -> dict:
    return {
        "name": name,
        "kind": K.TEXTAREA,
        "label_en": en,
        "label_cy": cy,
        "required_error_en": error_en,
        "required_error_cy": error_cy,
        "max_length": 5000,
        **extra,
    }


def _about_you(page: int = 1) -> list[dict[str, Any]]:
    return [{**NAME, "page": page, "order": 1}, {**EMAIL, "page": page, "order": 2}]


FORMS: list[dict[str, Any]] = [
    {
        "slug": "general",
        "title_en": "Get help with your GovSign account",
        "title_cy": "Cael help gyda'ch cyfrif GovSign",
        "summary_en": "Problems signing in, proving your identity or using your account.",
        "summary_cy": "Problemau mewngofnodi, profi pwy ydych chi neu ddefnyddio'ch cyfrif.",
        "queue_slug": "general",
        "sla_working_days": 5,
        "attachments_allowed": True,
        "order": 10,
        "fields": [
            *_about_you(),
            {
                "name": "problem",
                "kind": K.CHOICE,
                "page": 2,
                "label_en": "What do you need help with?",
                "label_cy": "Gyda beth mae angen help arnoch chi?",
                "required_error_en": "Select what you need help with",
                "required_error_cy": "Dewiswch gyda beth mae angen help arnoch",
                "choices": [
                    {"value": "sign_in", "en": "Signing in", "cy": "Mewngofnodi"},
                    {"value": "identity", "en": "Proving my identity", "cy": "Profi pwy ydw i"},
                    {"value": "account", "en": "Changing my account", "cy": "Newid fy nghyfrif"},
                    {"value": "other", "en": "Something else", "cy": "Rhywbeth arall"},
                ],
            },
            _details(
                "details",
                "Tell us what happened",
                "Dywedwch wrthym beth ddigwyddodd",
                "Enter what happened",
                "Rhowch beth ddigwyddodd",
                page=3,
                help_en="Do not include passwords or security codes.",
                help_cy="Peidiwch â chynnwys cyfrineiriau na chodau diogelwch.",
            ),
        ],
    },
    {
        "slug": "foi",
        "title_en": "Make a Freedom of Information request",
        "title_cy": "Gwneud cais Rhyddid Gwybodaeth",
        "summary_en": "Ask for information we hold. We reply within 20 working days.",
        "summary_cy": "Gofyn am wybodaeth sydd gennym. Rydym yn ateb o fewn 20 diwrnod gwaith.",
        "queue_slug": "written",
        "sla_working_days": 20,
        "order": 20,
        "fields": [
            *_about_you(),
            _details(
                "request",
                "What information do you want?",
                "Pa wybodaeth ydych chi ei heisiau?",
                "Enter the information you want",
                "Rhowch y wybodaeth rydych ei heisiau",
                page=2,
                help_en="Be as specific as you can, for example dates and subjects.",
                help_cy="Byddwch mor benodol ag y gallwch, er enghraifft dyddiadau a phynciau.",
            ),
        ],
    },
    {
        "slug": "sar",
        "title_en": "Ask for a copy of your personal data",
        "title_cy": "Gofyn am gopi o'ch data personol",
        "summary_en": "A subject access request. We reply within one month.",
        "summary_cy": "Cais gwrthrych am wybodaeth. Rydym yn ateb o fewn mis.",
        "queue_slug": "written",
        "sla_working_days": 20,
        "attachments_allowed": True,
        "order": 30,
        "fields": [
            *_about_you(),
            {
                "name": "account_email",
                "kind": K.EMAIL,
                "page": 2,
                "order": 1,
                "label_en": "Email address of your GovSign account",
                "label_cy": "Cyfeiriad e-bost eich cyfrif GovSign",
                "required": False,
                "help_en": "If it is different from the one you gave.",
                "help_cy": "Os yw'n wahanol i'r un a roesoch.",
            },
            _details(
                "scope",
                "What data do you want a copy of?",
                "O ba ddata ydych chi eisiau copi?",
                "Enter the data you want a copy of",
                "Rhowch y data rydych eisiau copi ohono",
                page=2,
                order=2,
            ),
        ],
    },
    {
        "slug": "complaint",
        "title_en": "Make a complaint",
        "title_cy": "Gwneud cwyn",
        "summary_en": "Tell us what went wrong and what you would like us to do.",
        "summary_cy": "Dywedwch wrthym beth aeth o'i le a beth hoffech i ni ei wneud.",
        "queue_slug": "written",
        "sla_working_days": 15,
        "attachments_allowed": True,
        "order": 40,
        "fields": [
            *_about_you(),
            _details(
                "what_happened",
                "What went wrong?",
                "Beth aeth o'i le?",
                "Enter what went wrong",
                "Rhowch beth aeth o'i le",
                page=2,
            ),
            _details(
                "outcome_wanted",
                "What would you like us to do?",
                "Beth hoffech i ni ei wneud?",
                "Enter what you would like us to do",
                "Rhowch beth hoffech i ni ei wneud",
                page=3,
                max_length=2000,
            ),
        ],
    },
    {
        "slug": "fraud",
        "title_en": "Report fraud or an account taken over",
        "title_cy": "Rhoi gwybod am dwyll neu gyfrif sydd wedi'i feddiannu",
        "summary_en": "Urgent: we look at these first, at any hour.",
        "summary_cy": "Brys: rydym yn edrych ar y rhain yn gyntaf, ar unrhyw awr.",
        "queue_slug": "fraud",
        "priority": 1,
        "urgent": True,
        "sla_working_days": 1,
        "attachments_allowed": True,
        "order": 5,
        "fields": [
            *_about_you(),
            {
                "name": "phone",
                "kind": K.PHONE,
                "page": 1,
                "order": 3,
                "required": False,
                "label_en": "Phone number",
                "label_cy": "Rhif ffôn",
                "help_en": "So we can call you back urgently if we need to.",
                "help_cy": "Fel y gallwn eich ffonio'n ôl ar frys os oes angen.",
            },
            {
                "name": "still_access",
                "kind": K.YES_NO,
                "page": 2,
                "label_en": "Can you still sign in to your account?",
                "label_cy": "Allwch chi fewngofnodi i'ch cyfrif o hyd?",
                "required_error_en": "Select yes if you can still sign in",
                "required_error_cy": "Dewiswch ydw os gallwch fewngofnodi o hyd",
            },
            _details(
                "details",
                "What has happened?",
                "Beth sydd wedi digwydd?",
                "Enter what has happened",
                "Rhowch beth sydd wedi digwydd",
                page=3,
            ),
        ],
    },
    {
        "slug": "callback",
        "title_en": "Ask us to phone you back",
        "title_cy": "Gofyn i ni eich ffonio'n ôl",
        "summary_en": "Choose a time when our advisers are working.",
        "summary_cy": "Dewiswch amser pan fydd ein cynghorwyr yn gweithio.",
        "queue_slug": "general",
        "sla_working_days": 2,
        "order": 50,
        "fields": [
            *_about_you(),
            {
                "name": "phone",
                "kind": K.PHONE,
                "page": 2,
                "order": 1,
                "label_en": "Phone number",
                "label_cy": "Rhif ffôn",
                "required_error_en": "Enter a phone number",
                "required_error_cy": "Rhowch rif ffôn",
            },
            {
                "name": "slot",
                "kind": K.CALLBACK_SLOT,
                "page": 2,
                "order": 2,
                "label_en": "When should we call?",
                "label_cy": "Pryd ddylen ni ffonio?",
                "help_en": "Times are UK time, when our advisers are working.",
                "help_cy": "Amser y DU yw'r amseroedd, pan fydd ein cynghorwyr yn gweithio.",
                "required_error_en": "Choose a time for us to call",
                "required_error_cy": "Dewiswch amser i ni ffonio",
            },
            _details(
                "topic",
                "What is the call about?",
                "Am beth mae'r alwad?",
                "Enter what the call is about",
                "Rhowch am beth mae'r alwad",
                page=3,
                max_length=1000,
            ),
        ],
    },
    {
        "slug": "feedback",
        "title_en": "Give feedback",
        "title_cy": "Rhoi adborth",
        "summary_en": "Tell us how we can make GovSign better.",
        "summary_cy": "Dywedwch wrthym sut y gallwn wella GovSign.",
        "queue_slug": "general",
        "priority": 5,
        "sla_working_days": 10,
        "order": 60,
        "fields": [
            {
                "name": "satisfaction",
                "kind": K.CHOICE,
                "page": 1,
                "label_en": "How satisfied are you with GovSign?",
                "label_cy": "Pa mor fodlon ydych chi gyda GovSign?",
                "required_error_en": "Select how satisfied you are",
                "required_error_cy": "Dewiswch pa mor fodlon ydych chi",
                "choices": [
                    {"value": "5", "en": "Very satisfied", "cy": "Bodlon iawn"},
                    {"value": "4", "en": "Satisfied", "cy": "Bodlon"},
                    {"value": "3", "en": "Neither", "cy": "Dim un"},
                    {"value": "2", "en": "Dissatisfied", "cy": "Anfodlon"},
                    {"value": "1", "en": "Very dissatisfied", "cy": "Anfodlon iawn"},
                ],
            },
            _details(
                "comments",
                "How could we improve?",
                "Sut gallen ni wella?",
                "Enter how we could improve",
                "Rhowch sut gallen ni wella",
                page=2,
                max_length=2000,
            ),
            {**EMAIL, "page": 3},
        ],
    },
]

DEMO_QUEUES = (("written", "Written requests", "FOI, subject access and complaints."),)


@transaction.atomic
def load_demo_data() -> list[str]:
    schedule = Schedule.objects.filter(slug=settings.LIVE_AGENT_SCHEDULE).first()
    for slug, name, description in DEMO_QUEUES:
        queue, created = Queue.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "schedule": schedule}
        )
        if created:
            for profile in AgentProfile.objects.all():
                profile.skills.add(queue)
    for spec in FORMS:
        spec = dict(spec)
        fields = spec.pop("fields")
        definition, created = FormDefinition.objects.get_or_create(slug=spec["slug"], defaults=spec)
        if created:
            for order, field in enumerate(fields):
                FormField.objects.create(form=definition, **{"order": order, **field})
    return [
        f"Webforms: {FormDefinition.objects.count()} forms at /forms/ "
        f"({', '.join(f['slug'] for f in FORMS)}); agent inbox at /console/forms/."
    ]
