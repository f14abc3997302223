"""Staff (console) URLs of the selfhelp app, mounted under /console/ by contactcentre/urls.py."""

from django.urls import URLPattern, URLResolver

app_name = "selfhelp_console"
urlpatterns: list[URLPattern | URLResolver] = []
