"""Staff (console) URLs of the webforms app, mounted under /console/forms/."""

from django.urls import URLPattern, URLResolver, path

from webforms import console_views

app_name = "webforms_console"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", console_views.inbox, name="inbox"),
    path("<str:reference>/", console_views.submission, name="submission"),
    path("<str:reference>/<slug:action>/", console_views.act, name="act"),
]
