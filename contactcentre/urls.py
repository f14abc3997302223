from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from contactcentre import health, views

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("language/", set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("after-login/", views.after_login, name="after_login"),
    path("account/", views.my_account, name="my_account"),
    path("console/", views.console, name="console"),
    path("console/contacts/<uuid:public_id>/", views.console_contact, name="console_contact"),
    path("manage/", views.manage, name="manage"),
    path("manage/routing/", include("routing.urls")),
    path("chat/", include("chat.urls")),
    path("console/chat/", include("chat.console_urls")),
    path("help/", include("selfhelp.urls")),
    path("manage/help/", include("selfhelp.console_urls")),
    path("forms/", include("webforms.urls")),
    path("console/forms/", include("webforms.console_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "contactcentre.errorviews.bad_request"
handler403 = "contactcentre.errorviews.permission_denied"
handler404 = "contactcentre.errorviews.page_not_found"
handler500 = "contactcentre.errorviews.server_error"
