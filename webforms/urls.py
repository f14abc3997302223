"""Citizen-facing URLs of the webforms app, mounted by contactcentre/urls.py."""

from django.urls import URLPattern, URLResolver

app_name = "webforms"
urlpatterns: list[URLPattern | URLResolver] = []
