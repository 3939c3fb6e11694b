"""The CRM admins' webhook pages, in the settings: subscriptions and their deliveries."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.webhooks import services
from api.webhooks.forms import SubscriptionForm
from api.webhooks.models import Delivery, Subscription
from settings_app.views import admin_required, render_settings

LOG_LENGTH = 50


@admin_required
def subscription_list(request):
    context = {"subscriptions": Subscription.objects.select_related("owner")}
    return render_settings(request, "webhooks", "api/webhooks/list.html", context)


@admin_required
def subscription_edit(request, pk=None):
    """Create a subscription (without pk), or change one."""
    subscription = get_object_or_404(Subscription, pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    form = SubscriptionForm(data, subscription=subscription)
    if request.method == "POST" and form.is_valid():
        subscription = services.subscription_save(
            owner=subscription.owner if subscription else request.user,
            subscription=subscription,
            **form.cleaned_data,
        )
        messages.success(request, _("Webhook to %(url)s saved.") % {"url": subscription.url})
        return redirect(subscription)
    context = {"form": form, "subscription": subscription}
    return render_settings(request, "webhooks", "api/webhooks/edit.html", context)


@admin_required
def subscription_delete(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    if request.method == "POST":
        services.subscription_delete(subscription=subscription)
        messages.success(request, _("Webhook to %(url)s deleted.") % {"url": subscription.url})
        return redirect("webhooks:list")
    context = {"subscription": subscription}
    return render_settings(request, "webhooks", "api/webhooks/delete.html", context)


@admin_required
def subscription_deliveries(request, pk):
    """Show a subscription, its secret and its last deliveries."""
    subscription = get_object_or_404(Subscription, pk=pk)
    context = {
        "subscription": subscription,
        "deliveries": subscription.deliveries.order_by("-created_at", "-pk")[:LOG_LENGTH],
    }
    return render_settings(request, "webhooks", "api/webhooks/deliveries.html", context)


@admin_required
@require_POST
def subscription_test(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    services.webhook_test(subscription=subscription)
    messages.success(request, _("Test message sent: its outcome is in the log below."))
    return redirect(subscription)


@admin_required
@require_POST
def delivery_redeliver(request, pk, delivery_pk):
    delivery = get_object_or_404(Delivery, pk=delivery_pk, subscription_id=pk)
    services.delivery_redeliver(delivery=delivery)
    messages.success(request, _("Message sent again: its outcome is in the log below."))
    return redirect("webhooks:deliveries", pk)
