"""Citizen-facing URLs of the chat app, mounted by contactcentre/urls.py."""

from django.urls import URLPattern, URLResolver

app_name = "chat"
urlpatterns: list[URLPattern | URLResolver] = []
