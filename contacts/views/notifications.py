from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contacts import notifications as services
from contacts.models import Notification


def notification_list(request):
    notifications = (
        Notification.objects.filter(recipient=request.user)
        .select_related("actor", "contact", "web_form", "import_job", "bulk_job")
        # A job's ids may be a hundred thousand: its names are what a notification reads.
        .defer("bulk_job__contact_ids", "bulk_job__skipped_ids")
        .order_by("-created_at", "-id")
    )
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    services.notifications_describe(list(page), request.user)
    for n in page:
        if n.import_job_id:
            n.import_list_url = reverse("contacts:list") + f"?import={n.import_job_id}"
    return render(request, "contacts/notifications.html", {"page": page})


@require_POST
def notification_read(request, pk=None):
    if pk is not None:
        get_object_or_404(Notification, pk=pk, recipient=request.user)
        services.notifications_mark_read(user=request.user, ids=[pk])
    else:
        count = services.notifications_mark_read(user=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("contacts:notifications")
    return redirect(target)
