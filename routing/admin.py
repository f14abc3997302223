"""Where managers edit opening hours, closures, queues, skills, the policy and its rules."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from routing.models import (
    AgentProfile,
    ClassificationRule,
    Closure,
    OpeningSession,
    PolicySettings,
    Queue,
    QueueEntry,
    RoutingDecision,
    Schedule,
    TopicRoute,
)


class OpeningSessionInline(admin.TabularInline):
    model = OpeningSession
    extra = 1


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "closed_on_bank_holidays"]
    inlines = [OpeningSessionInline, ClosureInline]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "ends_at", "schedule", "reason"]
    list_filter = ["schedule"]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "schedule"]


@admin.register(TopicRoute)
class TopicRouteAdmin(admin.ModelAdmin):
    list_display = [
        "topic",
        "precedence",
        "destination",
        "queue",
        "priority",
        "form",
        "fallback",
        "fallback_form",
        "urgent",
    ]
    list_editable = ["precedence", "priority"]


@admin.register(PolicySettings)
class PolicySettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "overflow_wait_minutes", "repeat_window_days", "min_confidence"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not PolicySettings.objects.exists()


@admin.register(ClassificationRule)
class ClassificationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "topic", "kind", "active"]
    list_filter = ["topic", "kind", "active"]
    search_fields = ["name", "pattern"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "presence", "capacity", "active_contacts", "idle_since"]
    list_filter = ["presence", "skills"]
    filter_horizontal = ["skills"]
    readonly_fields = ["presence", "active_contacts", "idle_since"]
    autocomplete_fields = ["user"]


class ReadOnly(admin.ModelAdmin):
    """Records only actions change: the admin may look, never edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(ReadOnly):
    list_display = ["decided_at", "contact", "topic", "destination", "queue", "form", "urgent"]
    list_filter = ["destination", "topic", "urgent"]
    list_select_related = ["contact"]
    date_hierarchy = "decided_at"


@admin.register(QueueEntry)
class QueueEntryAdmin(ReadOnly):
    list_display = ["contact", "queue", "priority", "status", "agent", "enqueued_at"]
    list_filter = ["queue", "status"]
    list_select_related = ["contact", "queue", "agent__user"]
