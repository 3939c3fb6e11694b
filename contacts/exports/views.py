from django.http import HttpResponse, StreamingHttpResponse

from contacts import selectors
from contacts.access import get_contact_for_user, with_company_visibility
from contacts.exports import services as exports
from contacts.forms import MAX_SELECTED, int_param
from contacts.models import Contact

# Exports


def _contacts_to_export(request):
    """Return the contacts of the list as the user sees it, in the list's order.

    The same search and filters as contact_list; ?ids=1,2,3 narrows to a selection,
    whose ids the user may not see are left out silently.
    """
    contacts, _filters = selectors.contacts_listed(request.user, request.GET)
    if "ids" in request.GET:
        ids = [int_param(i, None) for i in request.GET["ids"].split(",")[:MAX_SELECTED]]
        contacts = contacts.filter(pk__in=[i for i in ids if i is not None])
    contacts = selectors.contact_sort(contacts, request.GET.get("sort", ""), request.user)[0]
    return with_company_visibility(request.user, contacts)


def contact_export_csv(request):
    lines = exports.csv_lines(_contacts_to_export(request), request.user)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = exports.export_filename("csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def contact_export_vcard(request):
    cards = exports.vcard_lines(_contacts_to_export(request))
    response = StreamingHttpResponse(cards, content_type="text/vcard; charset=utf-8")
    filename = exports.export_filename("vcf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def contact_vcard(request, pk):
    contact = get_contact_for_user(request.user, pk)
    [contact] = exports.exported_contacts(
        with_company_visibility(request.user, Contact.objects.filter(pk=contact.pk))
    )
    response = HttpResponse(exports.vcard(contact), content_type="text/vcard; charset=utf-8")
    filename = exports.vcard_filename(contact)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
