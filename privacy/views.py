"""Settings › Personal data: find a person everywhere, build his copy, read the register."""

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from contacts.models import Contact
from privacy import erasure, exports, register
from privacy.finders import find_everywhere
from privacy.forms import EraseContactForm, EraseForm, FindForm
from privacy.models import Erasure, PersonalDataExport, PrivacyRequest
from privacy.subjects import subject_for, subject_of_contact
from settings_app.views import admin_required, render_settings

PER_PAGE = 50


@admin_required
def find(request):
    """Ask who to look for; list every place he appears (posted: no address in a URL)."""
    form = FindForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        subject = subject_for(form.cleaned_data["lookup"], form.cleaned_data["value"])
        places = find_everywhere(subject)
        records = sum(len(p.hits) for p in places)
        outcome = PrivacyRequest.Outcome.DONE if records else PrivacyRequest.Outcome.NOTHING
        register.request_log(
            by=request.user,
            kind=PrivacyRequest.Kind.FIND,
            lookup=subject.lookup,
            value=subject.value,
            records=records,
            outcome=outcome,
        )
        context.update(subject=subject, places=places, records=records)
    return render_settings(request, "privacy", "privacy/find.html", context)


@admin_required
@require_POST
def export_new(request):
    form = FindForm(request.POST)
    if not form.is_valid():
        return render_settings(request, "privacy", "privacy/find.html", {"form": form})
    exports.export_start(by=request.user, **form.cleaned_data)
    messages.success(request, _("The copy is being built: it is listed here when ready."))
    return redirect("privacy:exports")


@admin_required
@require_GET
def export_list(request):
    context = {
        "exports": PersonalDataExport.objects.select_related("created_by"),
        "days": exports.export_days(),
        "now": timezone.now(),
    }
    return render_settings(request, "privacy", "privacy/exports.html", context)


@admin_required
@require_GET
def export_download(request, pk):
    export = get_object_or_404(PersonalDataExport, pk=pk)
    if not exports.export_downloadable(export):
        raise Http404
    name = f"personal-data-{export.pk}-{export.created_at:%Y-%m-%d}.zip"
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)


@admin_required
@require_GET
def register_list(request):
    page = Paginator(PrivacyRequest.objects.all(), PER_PAGE).get_page(request.GET.get("page"))
    count = page.paginator.count
    count_text = ngettext("%(count)s request", "%(count)s requests", count) % {
        "count": intcomma(count)
    }
    context = {"page": page, "count_text": count_text}
    return render_settings(request, "privacy", "privacy/register.html", context)


@admin_required
@require_GET
def register_csv(request):
    lines = register.register_csv_lines(PrivacyRequest.objects.all())
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = f"personal-data-register-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _erase_page(request, subject, form, action):
    """The confirmation: how many records go from each place, and the contacts by name."""
    places = erasure.erasure_plan(subject)
    contacts = Contact.all_objects.filter(pk__in=subject.contact_ids).order_by("sort_name", "pk")
    context = {
        "form": form,
        "subject": subject,
        "places": places,
        "records": sum(len(p.hits) for p in places),
        "contacts": contacts,
        "action": action,
    }
    return render_settings(request, "privacy", "privacy/erase.html", context)


def _started(request):
    messages.success(
        request,
        _("The erasure has started: it goes on in the background, and is listed here."),
    )
    return redirect("privacy:erasures")


@admin_required
@require_POST
def erase(request):
    """Confirm, then start, the erasure of the person found (posted from the find page)."""
    form = EraseForm(request.POST)
    find_form = FindForm(request.POST)
    if not find_form.is_valid():
        return render_settings(request, "privacy", "privacy/find.html", {"form": find_form})
    subject = subject_for(find_form.cleaned_data["lookup"], find_form.cleaned_data["value"])
    # From the find page, the confirmation is shown; from the confirmation, it starts.
    if request.POST.get("step") == "confirmed":
        if form.is_valid():
            erasure.erasure_start(by=request.user, subject=subject)
            return _started(request)
    else:
        form = EraseForm(initial=find_form.cleaned_data)
    return _erase_page(request, subject, form, reverse("privacy:erase"))


@admin_required
def erase_contact(request, pk):
    """Confirm, then start, the erasure of one contact (from the retention review)."""
    contact = get_object_or_404(Contact.all_objects, pk=pk)
    subject = subject_of_contact(contact)
    form = EraseContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        erasure.erasure_start(by=request.user, subject=subject)
        return _started(request)
    return _erase_page(request, subject, form, reverse("privacy:erase_contact", args=[pk]))


@admin_required
@require_GET
def erasure_list(request):
    context = {"erasures": Erasure.objects.select_related("created_by", "request")[:100]}
    context["total"] = len(erasure.STEPS)
    return render_settings(request, "privacy", "privacy/erasures.html", context)
