"""Citizen-facing URLs of the webforms app, mounted by contactcentre/urls.py."""

from django.urls import URLPattern, URLResolver, path

from webforms import views

app_name = "webforms"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.catalogue, name="catalogue"),
    path("track/", views.track, name="track"),
    path("track/<str:reference>/", views.tracked, name="tracked"),
    path("mine/", views.mine, name="mine"),
    path("sent/<str:reference>/", views.confirmation, name="confirmation"),
    path("resume/<str:token>/", views.resume, name="resume"),
    path("files/<uuid:public_id>/", views.attachment, name="attachment"),
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/<uuid:draft_id>/<int:number>/", views.page, name="page"),
    path("<slug:slug>/<uuid:draft_id>/files/", views.attachments, name="attachments"),
    path("<slug:slug>/<uuid:draft_id>/check/", views.check, name="check"),
    path("<slug:slug>/<uuid:draft_id>/save/", views.save, name="save"),
]
