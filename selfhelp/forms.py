"""Forms on the help pages: search, and "Is this page useful?"."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_COMMENT = 1200


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the help pages"), max_length=200, required=False)


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(
        label=_("Is this page useful?"),
        choices=[
            ("yes", pgettext_lazy("is this page useful", "Yes")),
            ("no", pgettext_lazy("is this page useful", "No")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if this page is useful")},
    )
    comment = forms.CharField(
        label=_("How could we improve this page? (optional)"),
        help_text=_("Do not include personal information, like your name or email address."),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _("Your comment must be %(limit_value)d characters or fewer")
        },
    )


class ExampleFromSearchForm(forms.Form):
    """On the managers' report: teach the bot that an unanswered search is answered by an
    article."""

    text = forms.CharField(max_length=500, widget=forms.HiddenInput)
    language = forms.ChoiceField(choices=[("en", "en"), ("cy", "cy")], widget=forms.HiddenInput)
    article = forms.ChoiceField(label=_("Article that answers it"), choices=[])

    def __init__(self, *args: object, articles: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["article"].choices = [("", _("Choose an article")), *articles]  # type: ignore[attr-defined]
