"""My tasks' filters: responsible user, category, contact and a due date range."""

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import ManyOptionsSelect
from activities.models import TaskCategory
from activities.tasks.forms import SELECT, SMALL, crm_users
from activities.tasks.selectors import Filters

ME, ANYONE = "me", "all"


class FilterForm(forms.Form):
    responsible = forms.ChoiceField(
        label=_("Responsible user"), required=False, widget=ManyOptionsSelect(attrs=SELECT)
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=TaskCategory.objects.all(),
        required=False,
        empty_label=_("All categories"),
        widget=ManyOptionsSelect(attrs=SELECT),
    )
    contact = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    start = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date", **SMALL})
    )
    end = forms.DateField(
        label=_("Due until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **SMALL}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        users = [
            (str(u.pk), u.get_full_name() or u.username) for u in crm_users() if u.pk != user.pk
        ]
        self.fields["responsible"].choices = [(ME, _("Me")), (ANYONE, _("Anyone")), *users]

    def chosen(self) -> Filters:
        """Return the filters asked, leaving out any that is not valid (mine by default)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        who = data.get("responsible") or ME
        responsible = self.user.pk if who == ME else None if who == ANYONE else int(who)
        category = data.get("category")
        return Filters(
            responsible=responsible,
            category=category.pk if category else None,
            contact=data.get("contact"),
            start=data.get("start"),
            end=data.get("end"),
        )

    def query(self) -> str:
        """The filters as a query string, for the export and "show more" links."""
        if not (self.is_bound and self.is_valid()):
            return ""
        values = {k: v for k, v in self.data.items() if k in self.fields and v}
        return urlencode(values)
