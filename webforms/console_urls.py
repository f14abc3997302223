"""Staff (console) URLs of the webforms app, mounted under /console/ by contactcentre/urls.py."""

from django.urls import URLPattern, URLResolver

app_name = "webforms_console"
urlpatterns: list[URLPattern | URLResolver] = []
