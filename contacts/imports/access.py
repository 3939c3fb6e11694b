"""Who may see which imports: their importer, and CRM admins (who see every contact)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from contacts.access import is_crm_admin
from contacts.imports.models import ImportJob

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def imports_visible_to(user: User | AnonymousUser) -> QuerySet[ImportJob]:
    """Return the imports that user may see."""
    if not (user.is_authenticated and user.is_active):
        return ImportJob.objects.none()
    if is_crm_admin(user):
        return ImportJob.objects.all()
    return ImportJob.objects.filter(created_by=user)


def get_import_for_user(user: User | AnonymousUser, pk: int) -> ImportJob:
    """Return the import, or 404 when user may not see it."""
    return get_object_or_404(imports_visible_to(user).select_related("created_by"), pk=pk)
