from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

SMALL = {"class": "form-control form-control-sm"}


class PositionForm(forms.Form):
    company = forms.CharField(
        label=_("Company"),
        max_length=300,
        # The companies the user sees, suggested as he types, as on the person's form.
        widget=forms.TextInput(
            {
                **SMALL,
                "list": "company-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("contacts:suggest", args=["companies"]),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#company-options",
            }
        ),
        help_text=_("A company you do not have yet is created, as on the person's form."),
    )
    job_title = forms.CharField(
        label=_("Job title"), max_length=200, required=False, widget=forms.TextInput(SMALL)
    )
    department = forms.CharField(
        label=_("Department"), max_length=200, required=False, widget=forms.TextInput(SMALL)
    )
    start_date = forms.DateField(
        label=_("Since"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **SMALL}),
    )
    primary = forms.BooleanField(label=_("Primary position (shown with the name)"), required=False)

    def clean_company(self):
        return " ".join(self.cleaned_data["company"].replace("\x00", "").split())


class EndForm(forms.Form):
    end_date = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **SMALL}),
    )
