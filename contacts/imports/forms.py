from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from contacts.forms import UserChoiceField, parse_tags, style_widgets
from contacts.imports import files, mapping
from contacts.imports.models import ImportJob
from contacts.models import Contact
from contacts.tags import TAG_MAX_LENGTH


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Exports of Google Contacts, Outlook, LinkedIn and this CRM are recognised, "
            "as are spreadsheets saved as CSV."
        ),
    )
    has_header = forms.BooleanField(label=_("First row is a header"), required=False, initial=True)

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.tsv,text/csv,text/plain"
        style_widgets(self)

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB.") % {"max": self.max_bytes // (1024 * 1024)},
                code="file_too_large",
            )
        if not file.size:
            raise forms.ValidationError(_("The file is empty."), code="empty_file")
        return file


class SettingsForm(forms.Form):
    encoding = forms.ChoiceField(label=_("Encoding"), choices=files.ENCODINGS)
    delimiter = forms.ChoiceField(label=_("Delimiter"), choices=files.DELIMITERS)
    quotechar = forms.ChoiceField(label=_("Text quote"), choices=files.QUOTES)
    skip_records = forms.IntegerField(
        label=_("Lines to skip before the header"), min_value=0, max_value=1000
    )
    has_header = forms.BooleanField(label=_("First row is a header"), required=False)
    duplicates = forms.ChoiceField(
        label=_("When a contact is already in the CRM"),
        choices=ImportJob.Duplicates.choices,
        widget=forms.RadioSelect,
    )
    match_on = forms.ChoiceField(
        label=_("Recognise it by"), choices=ImportJob.MatchOn.choices, widget=forms.RadioSelect
    )
    company_moved = forms.BooleanField(
        label=_("A new company means the person moved: the previous position ends"),
        required=False,
        help_text=_("Otherwise the person works at both, the new one first."),
    )
    access = forms.ChoiceField(
        label=_("Access"), choices=Contact.Access.choices, widget=forms.RadioSelect
    )
    responsible = UserChoiceField(
        label=_("Responsible users"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("You are always among them."),
    )
    tags = forms.CharField(
        label=_("Tags for every imported contact"),
        required=False,
        max_length=2000,
        help_text=_("Separate tags with commas."),
    )

    def __init__(self, *args, job, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "encoding": job.encoding,
                "delimiter": job.delimiter,
                "quotechar": job.quotechar,
                "skip_records": job.skip_records,
                "has_header": job.has_header,
                "duplicates": job.duplicates,
                "match_on": job.match_on,
                "company_moved": job.company_moved,
                "access": job.access,
                "responsible": job.responsible,
                "tags": ", ".join(job.tags),
            },
        )
        super().__init__(*args, **kwargs)
        self.job = job
        self.fields["responsible"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .exclude(pk=job.created_by_id)
            .order_by("first_name", "last_name", "username")
        )
        for name in ("encoding", "delimiter", "quotechar", "skip_records", "has_header"):
            self.fields[name].widget.attrs["data-preview"] = "1"
        style_widgets(self)

    def clean_tags(self):
        tags = parse_tags(self.cleaned_data["tags"])
        for name in tags:
            if len(name) > TAG_MAX_LENGTH:
                raise forms.ValidationError(
                    _("A tag name has at most %(max)d characters.") % {"max": TAG_MAX_LENGTH}
                )
        return tags

    def dialect(self):
        data = self.cleaned_data
        return files.Dialect(
            encoding=data["encoding"],
            delimiter=data["delimiter"],
            quotechar=data["quotechar"],
            has_header=data["has_header"],
            skip_records=data["skip_records"],
        )

    def configuration(self):
        """Return the settings of the valid form as services.job_configure takes them."""
        data = self.cleaned_data
        return {
            "dialect": self.dialect(),
            "duplicates": data["duplicates"],
            "match_on": data["match_on"],
            "company_moved": data["company_moved"],
            "access": data["access"],
            "responsible": list(data["responsible"]),
            "tags": data["tags"],
        }


class MappingForm(forms.Form):
    """One select per column of the file: the target of its values."""

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        choices = mapping.target_choices()
        for n, name in enumerate(job.header):
            field = forms.ChoiceField(label=name or f"#{n + 1}", choices=choices, required=False)
            field.initial = job.mapping[n] if n < len(job.mapping) else ""
            field.widget.attrs["class"] = "form-select form-select-sm"
            self.fields[f"col_{n}"] = field

    def targets(self):
        return [self.cleaned_data.get(f"col_{n}", "") for n in range(len(self.job.header))]

    def rows(self, sample):
        """Return (bound field, column name, sample value) for each column."""
        return [
            (self[f"col_{n}"], name, sample[n] if n < len(sample) else "")
            for n, name in enumerate(self.job.header)
        ]

    def sample_context(self, record):
        """Return the columns beside the values of data row record (the first if none).

        Columns empty in the first rows and not mapped are folded away: Outlook has 90.
        """
        path, dialect = self.job.file.path, files.dialect_of(self.job)
        sample, has_next = files.record_at(path, dialect, record)
        if sample is None and record:
            record = 0
            sample, has_next = files.record_at(path, dialect, record)
        filled = files.filled_columns(path, dialect)
        rows = self.rows(sample or [])
        shown = [n in filled or bool(row[0].value()) for n, row in enumerate(rows)]
        return {
            "rows": [row for row, show in zip(rows, shown, strict=True) if show],
            "empty_rows": [row for row, show in zip(rows, shown, strict=True) if not show],
            "record": record,
            "has_next": has_next,
        }
