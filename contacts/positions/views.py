"""A person's positions on his card: add one, end it, remove it, make it the primary one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.access import Perm, get_contact_for_user
from contacts.models import Contact
from contacts.positions import services
from contacts.positions.forms import EndForm, PositionForm
from contacts.positions.models import Position
from contacts.services import company_named


def _person(request, pk):
    person = get_contact_for_user(request.user, pk, Perm.CHANGE)
    if person.kind != Contact.Kind.PERSON:
        raise Http404
    return person


def _back(person):
    return redirect(f"{person.get_absolute_url()}#positions")


def position_add(request, pk):
    person = _person(request, pk)
    form = PositionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            company = company_named(by=request.user, name=data.pop("company"), person=person)
            services.position_add(by=request.user, person=person, company=company, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The position is saved."))
            return _back(person)
    return render(request, "contacts/positions/add.html", {"form": form, "contact": person})


def _act(request, pk, position_pk, action, done):
    person = _person(request, pk)
    position = get_object_or_404(Position, pk=position_pk, person=person)
    try:
        action(request, position)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return _back(person)


@require_POST
def position_end(request, pk, position_pk):
    def end(request, position):
        form = EndForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Enter a valid date."))
        services.position_end(by=request.user, position=position, **form.cleaned_data)

    return _act(request, pk, position_pk, end, _("The position is ended."))


@require_POST
def position_remove(request, pk, position_pk):
    def remove(request, position):
        services.position_remove(by=request.user, position=position)

    return _act(request, pk, position_pk, remove, _("The position is removed."))


@require_POST
def position_primary(request, pk, position_pk):
    def primary(request, position):
        services.position_make_primary(by=request.user, position=position)

    return _act(request, pk, position_pk, primary, _("This is the primary position now."))
