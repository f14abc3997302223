"""The form catalogue in the admin: managers edit forms and their questions (English and Welsh
text, validation, pages, queue and service level). Submissions are read-only here; agents work
them in the console."""

from __future__ import annotations

from django.contrib import admin

from webforms.models import FormDefinition, FormField, OutboundEmail, Submission


class FormFieldInline(admin.StackedInline):
    model = FormField
    extra = 0
    fields = (
        ("name", "kind", "page", "order", "required"),
        ("label_en", "label_cy"),
        ("help_en", "help_cy"),
        ("required_error_en", "required_error_cy"),
        ("max_length", "pattern"),
        ("pattern_error_en", "pattern_error_cy"),
        "choices",
    )


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_en", "queue_slug", "sla_working_days", "urgent", "active")
    list_editable = ("active",)
    inlines = [FormFieldInline]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("reference", "form", "submitted_at", "due_at", "queue_slug", "routed_at")
    search_fields = ("reference",)
    readonly_fields = [f.name for f in Submission._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("dedupe_key", "kind", "status", "attempts", "created_at", "sent_at")
    list_filter = ("kind", "status")
    exclude = ("body",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
