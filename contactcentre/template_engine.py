"""Django's template engine, with each render's context untied once the page is made.

A ``Context`` and the dictionaries pushed on it point at each other (``ContextDict.context``),
so every page Django renders leaves its whole context (the view's objects, forms, querysets,
the request's context processors' values) in a reference cycle that only the garbage collector
frees. In a web process that also holds thousands of websockets, those collections are pauses
every chat on the process feels. Emptying the context's stack once the template has rendered
lets reference counting free it all at once, as it frees everything else of the request.
"""

from __future__ import annotations

from typing import Any

from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates, Template, reraise
from django.template.context import make_context
from django.utils.safestring import SafeString


class UntiedTemplate(Template):
    def render(self, context: dict[str, Any] | None = None, request: Any = None) -> SafeString:
        made = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(made)
        except TemplateDoesNotExist as exc:
            reraise(exc, self.backend)
        finally:
            made.dicts = []


class UntiedDjangoTemplates(DjangoTemplates):
    """``django.template.backends.django.DjangoTemplates`` making ``UntiedTemplate``s."""

    def from_string(self, template_code: str) -> UntiedTemplate:
        return UntiedTemplate(self.engine.from_string(template_code), self)

    def get_template(self, template_name: str) -> UntiedTemplate:
        try:
            return UntiedTemplate(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)
