from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from contacts.models import Address, Contact, ContactInfo, ContactType, Notification


class ContactInfoInline(admin.TabularInline):
    model = ContactInfo
    extra = 0


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


@admin.register(Contact)
class ContactAdmin(GuardedModelAdmin):
    list_display = ["display_name", "kind", "contact_type", "access", "source", "created_at"]
    list_filter = ["kind", "access", "source", "contact_type"]
    search_fields = ["display_name", "search_text"]
    raw_id_fields = ["company", "created_by", "updated_by"]
    filter_horizontal = ["responsible"]
    inlines = [ContactInfoInline, AddressInline]


admin.site.register(ContactType)
admin.site.register(Notification)
