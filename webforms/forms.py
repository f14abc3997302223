"""Django forms built from the form catalogue, one per page, in the citizen's language; and the
small fixed forms (save, track, reply, the agent's actions)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.forms import BoundField
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from contactcentre.models import Outcome

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from webforms.models import FieldKind, FormDefinition, FormField, in_language

PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
# Call-back slots: every half hour in opening hours, from two hours ahead, for five days.
SLOT_MINUTES = 30
SLOT_LEAD = timedelta(hours=2)
SLOT_DAYS = 5
MAX_SLOTS = 60


def callback_slots(now: datetime) -> list[tuple[str, str]]:
    """Times an adviser can call back, as (ISO value, label) pairs, from the live agents'
    schedule (bank holidays and closures included)."""
    from routing.hours import open_intervals
    from routing.models import Closure
    from routing.selectors import live_agent_schedule, opening_hours_of

    schedule = live_agent_schedule()
    if schedule is None:
        return []
    hours = opening_hours_of(schedule, list(Closure.objects.all()))
    earliest = now + SLOT_LEAD
    horizon = now + timedelta(days=SLOT_DAYS)
    slots: list[tuple[str, str]] = []
    step = timedelta(minutes=SLOT_MINUTES)
    for start, end in open_intervals(hours, now, days=SLOT_DAYS + 1):
        at = start
        while at + step <= end and at < horizon and len(slots) < MAX_SLOTS:
            if at >= earliest:
                local = at.astimezone(hours.zone)
                label = formats.date_format(local, "l j F, H:i")
                slots.append((local.isoformat(), label))
            at += step
    return slots


def slot_label(value: str) -> str:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    return formats.date_format(timezone.localtime(at), "l j F, H:i")


def _messages(field: FormField, language: str) -> dict[str, str]:
    required = in_language(field.required_error_en, field.required_error_cy, language)
    if not required:
        required = str(_("Enter %(label)s") % {"label": field.label[:1].lower() + field.label[1:]})
    return {
        "required": required,
        "max_length": str(
            _("%(label)s must be %(max)d characters or fewer")
            % {"label": field.label, "max": field.max_length}
        ),
        "invalid_choice": required,
        "invalid": str(_invalid_message(field)),
    }


def _invalid_message(field: FormField) -> str:
    if field.kind == FieldKind.EMAIL:
        return str(_("Enter an email address in the correct format, like name@example.com"))
    if field.kind == FieldKind.PHONE:
        return str(_("Enter a phone number, like 01632 960 001 or +44 808 157 0192"))
    label = field.label[:1].lower() + field.label[1:]
    return str(_("Enter %(label)s in the correct format") % {"label": label})


class GovukRadioSelect(forms.RadioSelect):
    """Radios whose label target is the first option, so the error summary links to it."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return f"{id_}_0" if id_ and index is None else super().id_for_label(id_, index)


def build_field(field: FormField, language: str, now: datetime) -> forms.Field:
    """The Django field for one question of the catalogue."""
    messages = _messages(field, language)
    common: dict[str, Any] = {
        "label": field.label,
        "help_text": field.help_text,
        "required": field.required,
        "error_messages": messages,
    }
    validators = []
    if field.pattern:
        pattern_error = in_language(field.pattern_error_en, field.pattern_error_cy, language)
        validators.append(
            RegexValidator(f"^(?:{field.pattern})$", pattern_error or messages["invalid"])
        )
    kind = field.kind
    if kind == FieldKind.EMAIL:
        return forms.EmailField(
            max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}), **common
        )
    if kind == FieldKind.PHONE:
        validators.append(RegexValidator(PHONE, messages["invalid"]))
        return forms.CharField(
            max_length=20,
            validators=validators,
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            **common,
        )
    if kind == FieldKind.TEXTAREA:
        return forms.CharField(
            max_length=field.max_length,
            validators=validators,
            widget=forms.Textarea(attrs={"rows": 6}),
            **common,
        )
    if kind == FieldKind.CHOICE:
        choices = [
            (c["value"], in_language(c["en"], c.get("cy", ""), language)) for c in field.choices
        ]
        return forms.ChoiceField(choices=choices, widget=GovukRadioSelect, **common)
    if kind == FieldKind.YES_NO:
        choices = [("yes", str(_("Yes"))), ("no", str(_("No")))]
        return forms.ChoiceField(choices=choices, widget=GovukRadioSelect, **common)
    if kind == FieldKind.CONFIRM:
        return forms.BooleanField(**common)
    if kind == FieldKind.CALLBACK_SLOT:
        slots = [("", str(_("Choose a time"))), *callback_slots(now)]
        return forms.ChoiceField(choices=slots, **common)
    return forms.CharField(max_length=field.max_length, validators=validators, **common)


class PageForm(forms.Form):
    """One page of a catalogue form; fields are added by ``page_form``."""

    def __getitem__(self, name: str) -> BoundField:
        """A bound field made on each use, not kept on the form as Django keeps it: kept, each
        points back at its form, a reference cycle on every page that only the garbage
        collector frees (making one again costs less than collecting it)."""
        return self.fields[name].get_bound_field(self, name)

    def answers(self) -> dict[str, str]:
        """Cleaned answers as stored strings."""
        stored: dict[str, str] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, bool):
                stored[name] = "yes" if value else ""
            else:
                stored[name] = str(value).strip()
        return stored


def page_form(
    fields: list[FormField],
    language: str,
    now: datetime,
    data: Any = None,
    initial: dict[str, str] | None = None,
) -> PageForm:
    form = PageForm(data=data, initial=initial)
    for field in fields:
        form.fields[field.name] = build_field(field, language, now)
    if initial:
        for field in fields:
            if field.kind == FieldKind.CONFIRM:
                form.initial[field.name] = initial.get(field.name) == "yes"
    return form


def display_answer(field: FormField, value: str, language: str) -> str:
    """An answer as the check-your-answers page and the agent show it."""
    if field.kind == FieldKind.CHOICE:
        for choice in field.choices:
            if choice.get("value") == value:
                return in_language(choice["en"], choice.get("cy", ""), language)
    if field.kind in (FieldKind.YES_NO, FieldKind.CONFIRM):
        return str(_("Yes")) if value == "yes" else (str(_("No")) if value else "")
    if field.kind == FieldKind.CALLBACK_SLOT and value:
        return slot_label(value)
    return value


def missing_answers(definition: FormDefinition, answers: dict[str, str]) -> list[FormField]:
    """Required questions with no answer: the citizen is sent back to the first of them."""
    return [f for f in definition.fields.all() if f.required and not answers.get(f.name)]


def citizen_email_field(help_text: StrOrPromise) -> forms.EmailField:
    return forms.EmailField(
        label=_("Email address"),
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )


class SaveForm(forms.Form):
    email = citizen_email_field(_("We will send you a link to carry on with your form."))


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a file"),
        error_messages={"required": _("Select a file"), "empty": _("The selected file is empty")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per request, in the citizen's language and with the configured limit.
        megabytes = settings.WEBFORMS_MAX_ATTACHMENT_BYTES // (1024 * 1024) or 1
        self.fields["file"].help_text = _("PDF, JPG, PNG or plain text, up to %(mb)s MB.") % {
            "mb": megabytes
        }


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        help_text=_("For example, GS-7KQ4-92XM. It is in your acknowledgement email."),
        max_length=40,
        error_messages={"required": _("Enter your reference number")},
    )
    email = citizen_email_field(_("The email address you gave on the form."))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Enter your message"),
            "max_length": _("Your message must be 5,000 characters or fewer"),
        },
    )


class StaffMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter a message")},
    )


class TransferForm(forms.Form):
    queue = forms.ChoiceField(
        label=_("Transfer to queue"), error_messages={"required": _("Choose a queue")}
    )
    reason = forms.CharField(label=_("Why"), max_length=200, required=False)

    def __init__(self, *args: Any, queues: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["queue"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", str(_("Choose a queue"))), *queues]


RESOLVE_OUTCOMES = [
    (Outcome.RESOLVED, Outcome.RESOLVED.label),
    (Outcome.NOT_RESOLVED, Outcome.NOT_RESOLVED.label),
]


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=RESOLVE_OUTCOMES,
        widget=GovukRadioSelect,
        error_messages={"required": _("Choose an outcome")},
    )
    body = forms.CharField(
        label=_("Final message to the citizen"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Emailed to the citizen and shown when they track the request."),
    )
