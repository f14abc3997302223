"""Citizen guidance pages: the help home, articles, "Is this page useful?" and search.

Managers' report and previews are in ``console_views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from selfhelp import actions, selectors
from selfhelp.forms import FeedbackForm, SearchForm
from selfhelp.markdown import render_markdown
from selfhelp.topics import topic_name


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@require_GET
def help_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "selfhelp/home.html",
        {"topics": selectors.topics_with_articles(_language()), "search_form": SearchForm()},
    )


def article_context(page: selectors.ArticlePage, language: str, form: FeedbackForm) -> dict:
    return {
        "page": page,
        "article": page.article,
        "text": page.text,
        "body": render_markdown(page.text.body),
        "topic_name": topic_name(page.article.topic),
        "related": selectors.related_articles(page.article, language),
        "feedback_form": form,
    }


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    language = _language()
    page = selectors.article_page(slug, language)
    if page is None:
        raise Http404(_("There is no help page at this address."))
    context = article_context(page, language, FeedbackForm())
    context["feedback_sent"] = request.GET.get("feedback") == "sent"
    return render(request, "selfhelp/article.html", context)


@require_http_methods(["POST"])
def feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """The "Is this page useful?" form: a plain POST, so it works without JavaScript."""
    language = _language()
    page = selectors.article_page(slug, language)
    if page is None:
        raise Http404(_("There is no help page at this address."))
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        context = article_context(page, language, form)
        return render(request, "selfhelp/article.html", context, status=400)
    actions.record_feedback(
        page.article,
        language=page.text.language,
        useful=form.cleaned_data["useful"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, _("Thank you for your feedback."))
    return redirect(f"{page.article.get_absolute_url()}?feedback=sent#feedback")


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = ""
    results: list[selectors.ArticleLink] = []
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            results = selectors.search_articles(query, _language())
            if not results:
                actions.record_unanswered(query, language=_language(), where="search")
    return render(
        request,
        "selfhelp/search.html",
        {"form": form, "query": query, "results": results, "searched": bool(query)},
    )
