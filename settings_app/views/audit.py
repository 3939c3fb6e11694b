"""The audit: what admins did to accounts, in the reader's language."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.utils import formats, timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from accounts import audit
from settings_app.audit_text import details_text
from settings_app.forms import AuditFilterForm
from settings_app.views import admin_required, render_settings

PER_PAGE = 50


@admin_required
@require_GET
def audit_list(request):
    """The entries, newest first, filtered by action and by user (who acted or was acted on)."""
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    user = filters.get("user")
    entries = audit.entries(action=filters.get("action", ""), user_id=user.pk if user else None)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": any(filters.values())}
    context["rows"] = [_row(entry) for entry in page]
    context["chosen_user"] = user.pk if user else None
    context["count_text"] = ngettext(
        "%(count)s entry", "%(count)s entries", page.paginator.count
    ) % {"count": intcomma(page.paginator.count)}
    return render_settings(request, "audit", "settings_app/audit.html", context)


def _row(entry):
    """Return what a row shows, built here: a page is 50 rows, each a few values."""
    actor, target = entry.actor, entry.target
    when = timezone.localtime(entry.created_at)
    return {
        "pk": entry.pk,
        # Shown twice (its column, and under the action on phones): formatted once.
        "when": formats.date_format(when, "SHORT_DATETIME_FORMAT"),
        "when_iso": when.isoformat(),
        "who": audit.name_of(actor) if actor else entry.actor_name,
        "action": audit.label_of(entry.action),
        "details": details_text(entry),
        "target": audit.name_of(target) if target else entry.target_name,
        "target_id": target.pk if target else None,
    }
