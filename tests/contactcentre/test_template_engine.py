"""Pages rendered through our template engine leave nothing for the garbage collector
(``contactcentre/template_engine.py``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.template import TemplateDoesNotExist, engines
from django.test import RequestFactory


class Thing:
    """Something a view puts in a page's context."""

    def __str__(self) -> str:
        return "a thing"


@contextmanager
def garbage() -> Iterator[list[str]]:
    """The type names of what the block leaves in reference cycles."""
    left: list[str] = []
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield left
        gc.collect()
        left.extend(type(thing).__name__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.django_db
def test_a_rendered_page_frees_its_context_at_once(rf: RequestFactory) -> None:
    template = engines["django"].from_string("{{ thing }} {{ request.path }} {{ LANGUAGE_CODE }}")
    with garbage() as left:
        html = template.render({"thing": Thing()}, request=rf.get("/help/"))
    assert html == "a thing /help/ en"
    assert not {"Thing", "RequestContext", "ContextDict"} & set(left)


def test_a_missing_template_is_reported_as_django_reports_it() -> None:
    engine = engines["django"]
    with pytest.raises(TemplateDoesNotExist) as raised:
        engine.get_template("no/such/template.html")
    assert raised.value.backend is engine
    template = engine.from_string("{% include 'no/such/template.html' %}")
    with pytest.raises(TemplateDoesNotExist, match=r"no/such/template\.html"):
        template.render({})
