from django.contrib import admin

from activities.models import Event, EventCategory


@admin.register(EventCategory)
class EventCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "icon", "position"]
    list_editable = ["position"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["contact", "category", "happened_at", "author"]
    raw_id_fields = ["contact", "author"]
