"""Citizen-facing URLs of the selfhelp app, mounted at /help/ by contactcentre/urls.py."""

from django.urls import URLPattern, URLResolver, path

from selfhelp import views

app_name = "selfhelp"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.help_home, name="home"),
    path("search/", views.search, name="search"),
    path("<slug:slug>/", views.article, name="article"),
    path("<slug:slug>/feedback/", views.feedback, name="feedback"),
]
