"""Personal data: the suppression list of erased people, and the retention review."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from contacts.forms import MAX_SELECTED, int_param
from contacts.models import Contact, CrmSettings, Suppression
from contacts.personal_data import retention, suppression
from contacts.templatetags.fragments import url_of
from settings_app.views import admin_required, render_settings

PER_PAGE = 50


class LiftForm(forms.Form):
    value = forms.CharField(label=gettext_lazy("Address or number"), max_length=320)

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry
        if entry.kind == Suppression.Kind.EMAIL:
            self.fields["value"].label = _("The e-mail address erased")
        else:
            self.fields["value"].label = _("The phone number erased")
        self.fields["value"].widget.attrs["autocomplete"] = "off"


class ReviewSettingsForm(forms.Form):
    months = forms.IntegerField(
        label=gettext_lazy("Review contacts with no activity for"),
        required=False,
        min_value=1,
        max_value=retention.MAX_MONTHS,
        help_text=gettext_lazy(
            "Months without activity on their timeline and without any change. "
            "Empty: no review. Nothing is ever deleted by it."
        ),
    )


@admin_required
@require_GET
def suppression_list(request):
    """The erased e-mails and phones, by the start of their hash: never the address."""
    page = Paginator(suppression.entries().select_related("created_by"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render_settings(
        request, "suppression", "settings_app/privacy/suppression.html", {"page": page}
    )


@admin_required
def suppression_lift(request, pk):
    """Lift an entry, once the admin has typed the address it hashes."""
    entry = get_object_or_404(Suppression, pk=pk)
    form = LiftForm(request.POST if request.method == "POST" else None, entry=entry)
    if request.method == "POST" and form.is_valid():
        lifted = suppression.suppression_lift(
            by=request.user, entry=entry, value=form.cleaned_data["value"]
        )
        if lifted is not None:
            messages.success(request, _("The entry was lifted: this person may be added again."))
            return redirect("settings_app:suppression")
        form.add_error("value", _("This is not the address or number of this entry."))
    context = {"entry": entry, "form": form}
    return render_settings(request, "suppression", "settings_app/privacy/lift.html", context)


@admin_required
def retention_review(request):
    """The setting, and the contacts due for review: keep, export or (later) erase them."""
    crm_settings = CrmSettings.load()
    form = ReviewSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"months": crm_settings.review_after_months},
    )
    if request.method == "POST" and form.is_valid():
        retention.review_settings_update(months=form.cleaned_data["months"])
        messages.success(request, _("Retention settings saved."))
        return redirect("settings_app:retention")
    found = retention.ids_to_review(request.user)
    page = Paginator(found[: retention.REVIEW_LISTED], PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = retention.contacts_in_order(request.user, list(page.object_list))
    _label_review_rows(page.object_list)
    context = {
        "form": form,
        "page": page,
        "more_found": len(found) > retention.REVIEW_LISTED,
        "months": retention.review_months(),
        "export_url": f"{reverse('contacts:export_csv')}?{urlencode({'review': 1})}",
        "list_url": f"{reverse('contacts:list')}?{urlencode({'review': 1})}",
    }
    return render_settings(request, "retention", "settings_app/privacy/retention.html", context)


def _label_review_rows(contacts):
    """Give each row of the review its addresses, labels and dates, worded once per page:
    the same tags fifty times over were most of the page's time."""
    keep, erase = _("Keep %(name)s"), _("Erase %(name)s")
    kinds = {kind: str(label) for kind, label in Contact.Kind.choices}
    card, erasure = url_of("contacts:detail"), url_of("privacy:erase_contact")
    for contact in contacts:
        names = {"name": contact.display_name}
        contact.url, contact.erase_url = card(contact.pk), erasure(contact.pk)
        contact.keep_label, contact.erase_label = keep % names, erase % names
        contact.kind_label = kinds.get(contact.kind, contact.kind)
        contact.changed_on = _short_date(contact.updated_at)
        contact.active_on = contact.last_activity_at and _short_date(contact.last_activity_at)


def _short_date(moment):
    return date_format(localtime(moment), "SHORT_DATE_FORMAT")


@admin_required
@require_POST
def retention_keep(request):
    """Keep the contacts checked: they leave the review until idle that long again."""
    ids = [int_param(i, None) for i in request.POST.getlist("ids")[:MAX_SELECTED]]
    kept = retention.contacts_keep(by=request.user, ids=[i for i in ids if i is not None])
    if kept:
        messages.success(
            request,
            ngettext("%(count)d contact kept.", "%(count)d contacts kept.", kept) % {"count": kept},
        )
    else:
        messages.info(request, _("Check the contacts to keep."))
    return redirect(f"{reverse('settings_app:retention')}?{request.GET.urlencode()}")
