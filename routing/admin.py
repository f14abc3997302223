from django.contrib import admin

from routing.models import OpeningSession, Queue, Schedule


class OpeningSessionInline(admin.TabularInline):
    model = OpeningSession
    extra = 1


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone"]
    inlines = [OpeningSessionInline]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "schedule"]
