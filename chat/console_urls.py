"""Staff (console) URLs of the chat app, mounted under /console/chat/ by contactcentre/urls.py."""

from django.urls import URLPattern, URLResolver, path

from chat import console_views

app_name = "chat_console"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", console_views.workspace, name="workspace"),
    path("presence/", console_views.presence, name="presence"),
    path("live/", console_views.live, name="live"),
    path("<uuid:public_id>/", console_views.conversation_page, name="conversation"),
    path("<uuid:public_id>/context/", console_views.context, name="context"),
    path("<uuid:public_id>/transcript.txt", console_views.staff_transcript, name="transcript"),
    path("<uuid:public_id>/join/", console_views.join, name="join"),
]
