"""Django's admin site, for superusers only: CRM admins do everything in Settings."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(admin.AdminSite):
    """The admin site, open to active superusers and to nobody else, staff or not.

    It edits the tables under every rule of the CRM (its services, its history, its
    audit): a CRM admin manages users, roles and settings in the CRM's own pages.
    """

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class CrmAdminConfig(AdminConfig):
    default_site = "crm.admin.SuperuserAdminSite"
