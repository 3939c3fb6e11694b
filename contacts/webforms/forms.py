"""The settings page's form of a website form: what it offers, to whom, and how."""

import json
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.forms import UserChoiceField, parse_tags
from contacts.models import Contact
from contacts.tags import TAG_MAX_LENGTH
from contacts.webforms import services
from contacts.webforms.fields import LABEL_MAX_LENGTH, available_fields

MAX_HOSTS = 20


def _users():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def _host_of(value):
    """Return the host (and port) typed, whether as a host or as a whole address."""
    value = value.strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value if "//" in value else f"//{value}")
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        parts = None
    if parts is None or not parts.hostname or parts.path not in ("", "/"):
        raise ValidationError(
            _("“%(value)s” is not a web site's address, like www.example.com.")
            % {"value": value[:100]}
        )
    return parts.netloc.lower()


class WebFormForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the form"),
        choices=settings.LANGUAGES,
        help_text=gettext_lazy(
            "The default labels, and the pages the CRM shows visitors, are in this language."
        ),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Accept submissions"),
        required=False,
        help_text=gettext_lazy("A disabled form tells visitors that it is closed."),
    )
    success_url = forms.URLField(
        label=gettext_lazy("Page shown after sending"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy(
            "A page of your site, e.g. https://www.example.com/thanks. "
            "Empty: the CRM shows a thank-you page."
        ),
    )
    allowed_hosts = forms.CharField(
        label=gettext_lazy("Web sites showing the form"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "One per line, e.g. www.example.com. When a visitor's input is refused, the CRM "
            "shows the form again, filled in, with a link back to the page of the form on "
            "these sites only (and on the site of the page shown after sending)."
        ),
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Given to every contact the form creates. Separate with commas."),
    )
    responsible = UserChoiceField(
        label=gettext_lazy("Responsible users"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    access = forms.ChoiceField(
        label=gettext_lazy("Access"), choices=Contact.Access.choices, widget=forms.RadioSelect
    )
    notify = UserChoiceField(
        label=gettext_lazy("Notify"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "In the CRM and by email, with everything the visitor sent. The responsible "
            "users are told of a new contact only when chosen here too, and always of an "
            "update to a contact of the same email."
        ),
    )
    confirm_unseen = forms.BooleanField(
        label=gettext_lazy("Save anyway: only the CRM admins will see these contacts"),
        required=False,
    )
    update_existing = forms.BooleanField(
        label=gettext_lazy("Update the contact who has the same email instead of adding another"),
        required=False,
        help_text=gettext_lazy(
            "New emails, phones, web sites, an address, the user fields still empty and the "
            "tags are added; what the visitor sent is kept in the contact's history, and the "
            "responsible users of the form are notified. The contact's names, company, "
            "access and responsible users do not change."
        ),
    )

    consent_wording = forms.CharField(
        label=gettext_lazy("Consent checkbox for marketing email"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "The exact words shown beside a checkbox, in the form's language, e.g. "
            "“I agree to receive news and offers by email.” A visitor who checks it gives "
            "consent in these words, kept with the submission. Empty: no checkbox."
        ),
    )

    def __init__(self, *args, kind, web_form=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["responsible"].queryset = _users()
        self.fields["notify"].queryset = _users()
        self.specs = available_fields(kind)
        self.needs_confirm = False
        stored = {f["name"]: f for f in (web_form.fields if web_form else [])}
        language = self._placeholder_language(web_form)
        defaults = _default_labels(self.specs)
        self.rows = [
            self._add_field_row(spec, web_form is None, stored.get(spec.name), defaults, language)
            for spec in self.specs
        ]
        if web_form is not None:
            self._initial_from(web_form)
        else:
            self.initial.setdefault("language", language)
            self.initial.setdefault("is_active", True)
            self.initial.setdefault("access", Contact.Access.PRIVATE)

    def _placeholder_language(self, web_form):
        """Return the language whose default labels the label boxes show as placeholders."""
        # A new form is in the admin's own language; the placeholders show the default
        # labels in the language chosen (settings.js follows the choice as it changes).
        codes = [code for code, _name in settings.LANGUAGES]
        language = (web_form.language if web_form else None) or _current_language()
        if self.is_bound and self.data.get("language") in codes:
            language = self.data["language"]
        return language if language in codes else codes[0]

    def _add_field_row(self, spec, new, config, defaults, language):
        """Add the boxes of one field the form may offer; return its row on the page.

        new: the web form is being created; config: what the form stores of the field.
        """
        offer = forms.BooleanField(label=_("Offer"), required=False)
        required = forms.BooleanField(label=_("Required"), required=False)
        label = forms.CharField(label=_("Label shown"), required=False, max_length=LABEL_MAX_LENGTH)
        label.widget.attrs["placeholder"] = defaults[language][spec.name]
        if spec.forced:
            offer.disabled = offer.initial = True
        if spec.always_required:
            required.disabled = required.initial = True
        if new:
            # A new form offers the names, the email and the message.
            offer.initial = offer.initial or spec.name in ("email", "description")
            required.initial = required.initial or spec.name in ("last_name", "email")
        elif config is not None:
            offer.initial = True
            required.initial = required.initial or bool(config.get("required"))
            label.initial = config.get("label", "")
        names = [f"{box}_{spec.name}" for box in ("offer", "required", "label")]
        self.fields.update(zip(names, (offer, required, label), strict=True))
        placeholders = json.dumps({code: labels[spec.name] for code, labels in defaults.items()})
        return (spec, *(self[name] for name in names), placeholders)

    def _initial_from(self, web_form):
        self.initial.setdefault("name", web_form.name)
        self.initial.setdefault("language", web_form.language)
        self.initial.setdefault("is_active", web_form.is_active)
        self.initial.setdefault("success_url", web_form.success_url)
        self.initial.setdefault("allowed_hosts", "\n".join(web_form.allowed_hosts))
        self.initial.setdefault("tags", ", ".join(t.name for t in web_form.tags.all()))
        self.initial.setdefault("responsible", list(web_form.responsible.all()))
        self.initial.setdefault("access", web_form.access)
        self.initial.setdefault("notify", list(web_form.notify.all()))
        self.initial.setdefault("update_existing", web_form.update_existing)
        self.initial.setdefault("consent_wording", web_form.consent_wording)

    def clean_success_url(self):
        url = self.cleaned_data["success_url"]
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ValidationError(_("Enter a web address starting with https:// or http://."))
        return url

    def clean_allowed_hosts(self):
        hosts = []
        for line in self.cleaned_data["allowed_hosts"].splitlines():
            host = _host_of(line)
            if host and host not in hosts:
                hosts.append(host)
        if len(hosts) > MAX_HOSTS:
            raise ValidationError(_("At most %(max)d web sites.") % {"max": MAX_HOSTS})
        return hosts

    def clean_tags(self):
        tags = parse_tags(self.cleaned_data["tags"])
        too_long = [t for t in tags if len(t) > TAG_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                _("A tag has at most %(max)d characters: “%(tag)s” is longer.")
                % {"max": TAG_MAX_LENGTH, "tag": too_long[0][:60]}
            )
        return tags

    def clean(self):
        data = super().clean()
        unseen = data.get("access") == Contact.Access.PRIVATE and not data.get("responsible")
        if unseen and "responsible" not in self.errors and not data.get("confirm_unseen"):
            self.needs_confirm = True
            self.add_error(
                "confirm_unseen",
                ValidationError(
                    _(
                        "Nobody would see these contacts but the CRM admins: they are private "
                        "and the form makes nobody responsible for them. Choose responsible "
                        "users or a public access, or confirm."
                    ),
                    code="unseen",
                ),
            )
        return data

    def chosen_fields(self):
        """Return the fields offered as the form stores them: [{name, required, label}]."""
        chosen = []
        for spec in self.specs:
            data = self.cleaned_data
            if spec.forced or data.get(f"offer_{spec.name}"):
                required = spec.always_required or bool(data.get(f"required_{spec.name}"))
                label = " ".join(data.get(f"label_{spec.name}", "").split())
                chosen.append({"name": spec.name, "required": required, "label": label})
        return chosen

    def web_form_data(self):
        data = self.cleaned_data
        return services.WebFormData(
            name=data["name"],
            kind=self.kind,
            language=data["language"],
            fields=self.chosen_fields(),
            success_url=data["success_url"],
            allowed_hosts=data["allowed_hosts"],
            tags=data["tags"],
            responsible=list(data["responsible"]),
            access=data["access"],
            notify=list(data["notify"]),
            update_existing=data["update_existing"],
            is_active=data["is_active"],
            consent_wording=data["consent_wording"],
        )


def _default_labels(specs):
    """Return {language: {field name: its default label}} in each language of the CRM."""
    defaults = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            defaults[code] = {spec.name: str(spec.default_label) for spec in specs}
    return defaults


def _current_language():
    """Return the language of the page, as one of settings.LANGUAGES."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE
