from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Task, TaskCategory
from activities.tasks.services import check_responsible
from contacts.models import CRM_ADMINS_GROUP, CRM_USERS_GROUP

SMALL = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


def crm_users():
    in_crm = Q(is_superuser=True) | Q(groups__name__in=[CRM_ADMINS_GROUP, CRM_USERS_GROUP])
    users = get_user_model().objects.filter(in_crm, is_active=True).distinct()
    return users.order_by("first_name", "last_name", "username")


class TaskForm(forms.ModelForm):
    """A task's title, due date and time (the responsible user's zone), category,
    responsible user, description and reminder; its contact is given by the page."""

    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(SMALL))
    due_date = forms.DateField(
        label=_("Due date"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **SMALL}),
    )
    due_time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", **SMALL}),
        help_text=_("Without a time, a reminder comes at 9:00."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=TaskCategory.objects.all(),
        empty_label=None,
        widget=forms.Select(attrs=SELECT),
    )
    responsible = UserChoiceField(
        label=_("Responsible user"),
        queryset=crm_users(),
        empty_label=None,
        widget=forms.Select(attrs=SELECT),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, **SMALL}),
    )
    reminder = forms.TypedChoiceField(
        label=_("Reminder"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("None")), *Task.Reminder.choices],
        widget=forms.Select(attrs=SELECT),
    )

    class Meta:
        model = Task
        fields = [
            "title",
            "due_date",
            "due_time",
            "category",
            "responsible",
            "description",
            "reminder",
        ]

    def __init__(self, *args, user, contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact if contact is not None else self.instance.contact
        if not self.instance.pk:
            self.initial.setdefault("responsible", user.pk)
            self.initial.setdefault("due_date", timezone.localdate())

    def clean_responsible(self):
        responsible = self.cleaned_data["responsible"]
        try:
            check_responsible(responsible, self.contact)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return responsible


class BulkTaskForm(TaskForm):
    """The same task for each contact selected in the list: its responsible user must be
    able to see each one (checked per contact by the service)."""

    def clean_responsible(self):
        return self.cleaned_data["responsible"]
