"""The routing vocabulary. Plain choices with no database access, so the pure policy can use it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Destination(models.TextChoices):
    CHATBOT = "chatbot", _("Chatbot")
    AGENT = "agent", _("Agent")
    WEBFORM = "webform", _("Webform")


class Topic(models.TextChoices):
    """What a contact is about, or a need that decides where it goes."""

    FRAUD = "fraud", _("Fraud, scams, identity theft or an account taken over")
    FOI = "foi", _("Freedom of Information request")
    SAR = "sar", _("Copy of personal data (subject access request)")
    COMPLAINT = "complaint", _("Formal complaint")
    HOW_TO = "how_to", _("Simple how-to question")
    IDENTITY = "identity", _("Problem proving identity")
    ACCOUNT = "account", _("Complex account problem")
    PERSON = "person", _("Asks for a person")
    ACCESSIBILITY = "accessibility", _("Accessibility needs")
    WELSH = "welsh", _("Welsh language")
    GENERAL = "general", _("General question")


# Topics that say what the contact is about; at most one of these is chosen per contact.
SUBJECT_TOPICS = frozenset(
    {
        Topic.FRAUD,
        Topic.FOI,
        Topic.SAR,
        Topic.COMPLAINT,
        Topic.HOW_TO,
        Topic.IDENTITY,
        Topic.ACCOUNT,
        Topic.GENERAL,
    }
)
# Topics that are needs: any number of these may hold alongside the subject.
NEED_TOPICS = frozenset({Topic.PERSON, Topic.ACCESSIBILITY, Topic.WELSH})

# The webform a citizen chose says what the contact is about.
FORM_TOPICS: dict[str, Topic] = {
    "fraud": Topic.FRAUD,
    "foi": Topic.FOI,
    "sar": Topic.SAR,
    "complaint": Topic.COMPLAINT,
}


class RuleKind(models.TextChoices):
    PHRASE = "phrase", _("Phrase (any of the lines, whole words, any case)")
    PATTERN = "pattern", _("Pattern (a regular expression, any case)")
