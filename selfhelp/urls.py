"""Citizen-facing URLs of the selfhelp app, mounted by contactcentre/urls.py."""

from django.urls import URLPattern, URLResolver

app_name = "selfhelp"
urlpatterns: list[URLPattern | URLResolver] = []
