from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from routing.choices import FORM_TOPICS


class TryPolicyForm(forms.Form):
    """A manager types a message and a time to see where the policy would send it."""

    text = forms.CharField(
        label=_("The citizen's first message"), max_length=2000, widget=forms.Textarea
    )
    at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        help_text=_("For example, 2026-12-24 16:30. Leave empty for now."),
    )
    language = forms.ChoiceField(
        label=_("Language the citizen chose"),
        choices=[("en", _("English")), ("cy", _("Welsh"))],
        initial="en",
        widget=forms.RadioSelect,
    )
    form = forms.ChoiceField(
        label=_("Webform chosen"),
        required=False,
        choices=[("", _("None"))] + [(slug, slug) for slug in FORM_TOPICS],
    )
    repeat_contact = forms.BooleanField(label=_("Got in touch in the last 7 days"), required=False)
    no_agents = forms.BooleanField(label=_("Assume no agents are signed in"), required=False)

    def clean_at(self) -> datetime | None:
        value: Any = self.cleaned_data.get("at")
        return value if isinstance(value, datetime) else None
