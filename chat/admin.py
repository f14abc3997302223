"""Supervisors manage canned responses here; conversations are read in the console, where each
view is audit-logged, not in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from chat.models import CannedResponse
from contactcentre.roles import SUPERVISE_CONTACTS


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "shortcut", "language", "active"]
    list_filter = ["language", "active"]
    search_fields = ["title", "shortcut", "body"]

    def _supervises(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or request.user.has_perm(SUPERVISE_CONTACTS))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._supervises(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._supervises(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._supervises(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._supervises(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._supervises(request)
