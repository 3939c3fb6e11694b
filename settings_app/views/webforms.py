"""Website forms: list, create, edit, generate the HTML, new key, delete."""

import json
from urllib.parse import urlsplit

from csp.decorators import csp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from contacts.forms import UserChoiceField, parse_tags
from contacts.models import Contact, WebForm
from contacts.tags import TAG_MAX_LENGTH
from contacts.webforms import services
from contacts.webforms.fields import LABEL_MAX_LENGTH, available_fields
from contacts.webforms.html import endpoint_path, form_html
from settings_app.views import admin_required, render_settings

MAX_HOSTS = 20
PREVIEW_PAGE = (
    '<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
    "<style>body{{font-family:system-ui,sans-serif;margin:1rem;color:#212529}}</style>"
    "</head><body>{html}</body></html>"
)


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

    def __init__(self, *args, kind, web_form=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["responsible"].queryset = _users()
        self.fields["notify"].queryset = _users()
        self.specs = available_fields(kind)
        self.needs_confirm = False
        stored = {f["name"]: f for f in (web_form.fields if web_form else [])}
        codes = [code for code, _name in settings.LANGUAGES]
        # A new form is in the admin's own language; the placeholders show the default
        # labels in the language chosen (settings.js follows the choice as it changes).
        language = (web_form.language if web_form else None) or _current_language()
        if self.is_bound and self.data.get("language") in codes:
            language = self.data["language"]
        language = language if language in codes else codes[0]
        defaults = {}
        for code in codes:
            with translation.override(code):
                defaults[code] = {spec.name: str(spec.default_label) for spec in self.specs}
        self.rows = []
        for spec in self.specs:
            config = stored.get(spec.name)
            offer = forms.BooleanField(label=_("Offer"), required=False)
            required = forms.BooleanField(label=_("Required"), required=False)
            label = forms.CharField(
                label=_("Label shown"), required=False, max_length=LABEL_MAX_LENGTH
            )
            label.widget.attrs["placeholder"] = defaults[language][spec.name]
            placeholders = json.dumps({code: defaults[code][spec.name] for code in codes})
            if spec.forced:
                offer.disabled = True
                offer.initial = True
            if spec.always_required:
                required.disabled = True
                required.initial = True
            if web_form is None:
                # A new form offers the names, the email and the message.
                offer.initial = offer.initial or spec.name in ("email", "description")
                required.initial = required.initial or spec.name in ("last_name", "email")
            elif config is not None:
                offer.initial = True
                required.initial = required.initial or bool(config.get("required"))
                label.initial = config.get("label", "")
            self.fields[f"offer_{spec.name}"] = offer
            self.fields[f"required_{spec.name}"] = required
            self.fields[f"label_{spec.name}"] = label
            self.rows.append(
                (
                    spec,
                    self[f"offer_{spec.name}"],
                    self[f"required_{spec.name}"],
                    self[f"label_{spec.name}"],
                    placeholders,
                )
            )
        if web_form is not None:
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
        else:
            self.initial.setdefault("language", language)
            self.initial.setdefault("is_active", True)
            self.initial.setdefault("access", Contact.Access.PRIVATE)

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
        )


def _current_language():
    """Return the language of the page, as one of settings.LANGUAGES."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def _form_page(request, form, web_form=None):
    context = {"form": form, "web_form": web_form, "kind": form.kind}
    return render_settings(request, "webforms", "settings_app/webforms/edit.html", context)


@admin_required
def webform_list(request):
    context = {"web_forms": WebForm.objects.order_by("name", "pk")}
    return render_settings(request, "webforms", "settings_app/webforms/list.html", context)


@admin_required
def webform_create(request, kind):
    if kind not in Contact.Kind.values:
        raise Http404
    form = WebFormForm(request.POST if request.method == "POST" else None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            web_form = services.web_form_save(data=form.web_form_data())
        except ValidationError as error:
            form.add_error("tags", error)
        else:
            messages.success(
                request,
                _("Website form “%(name)s” created: copy its HTML into your site.")
                % {"name": web_form.name},
            )
            return redirect(web_form)
    return _form_page(request, form)


@admin_required
def webform_edit(request, pk):
    web_form = get_object_or_404(WebForm, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = WebFormForm(data, kind=web_form.kind, web_form=web_form)
    if request.method == "POST" and form.is_valid():
        try:
            services.web_form_save(web_form=web_form, data=form.web_form_data())
        except ValidationError as error:
            form.add_error("tags", error)
        else:
            messages.success(request, _("Website form “%(name)s” saved.") % {"name": web_form.name})
            return redirect(web_form)
    return _form_page(request, form, web_form)


@admin_required
def webform_detail(request, pk):
    """Show a form's figures, its HTML to copy and a preview of it."""
    web_form = get_object_or_404(WebForm.objects.prefetch_related("tags"), pk=pk)
    action = request.build_absolute_uri(endpoint_path(web_form))
    context = {
        "web_form": web_form,
        "html": form_html(web_form, action),
        "responsible": list(web_form.responsible.all()),
        "notify": list(web_form.notify.all()),
    }
    return render_settings(request, "webforms", "settings_app/webforms/detail.html", context)


# The HTML as an admin's site would show it, with its inline style, in a frame of the
# form's page only; no script runs (the iframe is sandboxed too) and nothing is sent.
@admin_required
@xframe_options_sameorigin
@csp(
    {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'self'"],
    }
)
def webform_preview(request, pk):
    """Show a form's HTML alone, in a page of its own, as on a plain site."""
    web_form = get_object_or_404(WebForm, pk=pk)
    html = form_html(web_form, request.build_absolute_uri(endpoint_path(web_form)))
    return HttpResponse(PREVIEW_PAGE.format(language=web_form.language, html=html))


@admin_required
@require_POST
def webform_set_active(request, pk):
    web_form = get_object_or_404(WebForm, pk=pk)
    active = request.POST.get("active") == "1"
    services.web_form_set_active(web_form=web_form, active=active)
    if active:
        message = _("Website form “%(name)s” accepts submissions again.")
    else:
        message = _("Website form “%(name)s” disabled: visitors are told it is closed.")
    messages.success(request, message % {"name": web_form.name})
    return redirect(web_form)


@admin_required
def webform_regenerate_key(request, pk):
    """Give a form a new key, after a warning: copies of its old HTML stop working."""
    web_form = get_object_or_404(WebForm, pk=pk)
    if request.method == "POST":
        services.web_form_regenerate_key(web_form=web_form)
        messages.warning(
            request,
            _(
                "New key made for “%(name)s”: copies of its old HTML no longer work. "
                "Paste the HTML below into your site."
            )
            % {"name": web_form.name},
        )
        return redirect(web_form)
    context = {"web_form": web_form}
    return render_settings(request, "webforms", "settings_app/webforms/regenerate.html", context)


@admin_required
def webform_delete(request, pk):
    web_form = get_object_or_404(WebForm, pk=pk)
    if request.method == "POST":
        services.web_form_delete(web_form=web_form)
        messages.success(request, _("Website form “%(name)s” deleted.") % {"name": web_form.name})
        return redirect("settings_app:webforms")
    context = {"web_form": web_form}
    return render_settings(request, "webforms", "settings_app/webforms/delete.html", context)
