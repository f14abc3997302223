"""Managers' guidance pages. Mounted by contactcentre/urls.py:
``path("manage/help/", include("selfhelp.console_urls"))``."""

from django.urls import URLPattern, URLResolver, path

from selfhelp import console_views

app_name = "selfhelp_console"
urlpatterns: list[URLPattern | URLResolver] = [
    path("report/", console_views.report, name="report"),
    path("articles/<slug:slug>/preview/", console_views.preview, name="preview"),
]
