from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.categories import cached
from activities.models import Event, EventCategory

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of files of any type, each within EVENT_ATTACHMENT_MAX_BYTES."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"class": "form-control form-control-sm"})
        )
        super().__init__(*args, required=False, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        files = [super(AttachmentsField, self).clean(f, initial) for f in files]
        for upload in files:
            if upload.size > settings.EVENT_ATTACHMENT_MAX_BYTES:
                raise forms.ValidationError(
                    _("“%(name)s” is larger than %(limit)s.")
                    % {
                        "name": upload.name,
                        "limit": filesizeformat(settings.EVENT_ATTACHMENT_MAX_BYTES),
                    }
                )
        return files


class EventForm(forms.ModelForm):
    """An event's category, date and time (the reader's zone) and text."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=EventCategory.objects.all(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    happened_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(
            format=LOCAL_FORMAT,
            attrs={"type": "datetime-local", "class": "form-control form-control-sm"},
        ),
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
        help_text=_(
            "Plain text: links become clickable, line breaks are kept. Type @ and a "
            "colleague's username (@marie) to notify them."
        ),
    )

    attachments = AttachmentsField(label=_("Attachments"))

    class Meta:
        model = Event
        fields = ["category", "happened_at", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices as the cache keeps them: the form is shown without reading the table.
        self.fields["category"].widget.choices = [(c.pk, c.shown_name) for c in cached()]
        if not self.instance.pk:
            # The minute the form is shown, in the reader's zone, as the input shows it.
            self.initial.setdefault("happened_at", timezone.localtime().replace(second=0))
