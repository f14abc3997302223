from django.urls import path

from routing import views

app_name = "routing"
urlpatterns = [
    path("try/", views.try_policy, name="try_policy"),
]
