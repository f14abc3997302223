"""Names of the guidance topics, in the citizen's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TOPIC_NAMES: dict[str, Promise] = {
    "sign-in": _("Signing in"),
    "security-codes": _("Security codes"),
    "account": _("Your account"),
    "identity": _("Proving your identity"),
    "app": _("The ID Check app"),
    "fraud": _("Fraud and scams"),
    "privacy": _("Your data and privacy"),
    "requests": _("Complaints and requests in writing"),
    "contact": _("Contacting us"),
    "accessibility": _("Accessibility"),
}
TOPIC_ORDER = list(TOPIC_NAMES)


def topic_name(topic: str) -> str:
    name = TOPIC_NAMES.get(topic)
    return str(name) if name is not None else topic.replace("-", " ").capitalize()
