"""Citizen-facing URLs of the chat app, mounted by contactcentre/urls.py at /chat/."""

from django.urls import URLPattern, URLResolver, path

from chat import views

app_name = "chat"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.chat_page, name="page"),
    path("widget.json", views.widget_config, name="widget_config"),
    path("transcript/", views.transcript, name="transcript"),
    path("transcript/email/", views.email_transcript, name="email_transcript"),
    path("transcript/<uuid:public_id>/", views.my_transcript, name="my_transcript"),
]
