"""Staff (console) URLs of the chat app, mounted under /console/ by contactcentre/urls.py."""

from django.urls import URLPattern, URLResolver

app_name = "chat_console"
urlpatterns: list[URLPattern | URLResolver] = []
