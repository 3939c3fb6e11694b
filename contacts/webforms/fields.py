"""What a website form may offer: the contact's own fields and the user fields of its kind."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from contacts.custom_fields import values as custom_fields
from contacts.models import Contact, CustomField, WebForm

Type = CustomField.Type
CUSTOM_TYPES = (
    Type.TEXT,
    Type.TEXTAREA,
    Type.SELECT,
    Type.CHECKBOX,
    Type.DATE,
    Type.NUMBER,
    Type.URL,
)
NUMBER_MAX_LENGTH = 40
DESCRIPTION_MAX_LENGTH = 5000
LABEL_MAX_LENGTH = 100
ADDRESS_PARTS = ("street", "city", "region", "postcode", "country")
# The checkbox by which a visitor consents to marketing e-mail, when the form offers it.
CONSENT_FIELD = "consent"


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the input's name in the HTML
    default_label: StrOrPromise
    input_type: str  # text, email, tel, url, textarea, select, checkbox, date, number
    max_length: int = 0
    options: tuple[str, ...] = field(default=())
    forced: bool = False  # always offered
    always_required: bool = False
    custom_key: str = ""  # the key in Contact.custom for a user field

    @property
    def is_custom(self) -> bool:
        return bool(self.custom_key)


def _standard(kind: str) -> list[FieldSpec]:
    person = kind == Contact.Kind.PERSON
    specs = []
    if person:
        specs += [
            FieldSpec(
                "first_name", _("First name"), "text", 100, forced=True, always_required=True
            ),
            FieldSpec("last_name", _("Last name"), "text", 100, forced=True),
            FieldSpec("job_title", _("Job title"), "text", 200),
            FieldSpec("company_name", _("Company"), "text", 200),
        ]
    else:
        specs.append(
            FieldSpec(
                "company_name", _("Company name"), "text", 200, forced=True, always_required=True
            )
        )
    specs += [
        FieldSpec("email", _("Email"), "email", 254),
        FieldSpec("phone", _("Phone"), "tel", 50),
        FieldSpec("website", _("Web site"), "url", 254),
        FieldSpec("street", _("Street"), "textarea", 255),
        FieldSpec("city", _("City"), "text", 100),
        FieldSpec("region", _("State/region"), "text", 100),
        FieldSpec("postcode", _("Postcode"), "text", 20),
        FieldSpec("country", _("Country"), "text", 100),
        FieldSpec("description", _("Message"), "textarea", DESCRIPTION_MAX_LENGTH),
    ]
    return specs


def _custom(custom_field: CustomField) -> FieldSpec:
    max_lengths: dict[str, int] = {
        Type.TEXT: custom_fields.TEXT_MAX_LENGTH,
        Type.TEXTAREA: custom_fields.TEXTAREA_MAX_LENGTH,
        Type.NUMBER: NUMBER_MAX_LENGTH,
        Type.URL: custom_fields.URL_MAX_LENGTH,
    }
    max_length = max_lengths.get(custom_field.field_type, 0)
    return FieldSpec(
        name=f"cf_{custom_field.pk}",
        default_label=custom_field.label,
        input_type=custom_field.field_type,
        max_length=max_length,
        options=tuple(custom_field.options or ()),
        custom_key=custom_field.key,
    )


def available_fields(kind: str) -> list[FieldSpec]:
    """Return every field a form creating contacts of kind may offer, in order."""
    custom = [_custom(f) for f in custom_fields.fields_for(kind) if f.field_type in CUSTOM_TYPES]
    return _standard(kind) + custom


@dataclass(frozen=True)
class OfferedField:
    spec: FieldSpec
    required: bool
    label: str  # as chosen in Settings; empty shows the default label

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def shown_label(self) -> str:
        return self.label or str(self.spec.default_label)


def offered_fields(web_form: WebForm) -> list[OfferedField]:
    """Return the fields web_form shows, in order: the forced ones and those chosen.

    A user field deleted, or changed to another kind or to a heading, since the form was
    saved is left out.
    """
    chosen = {f["name"]: f for f in web_form.fields if isinstance(f, dict) and "name" in f}
    offered = []
    for spec in available_fields(web_form.kind):
        config = chosen.get(spec.name)
        if config is None and not spec.forced:
            continue
        config = config or {}
        required = spec.always_required or bool(config.get("required"))
        offered.append(OfferedField(spec, required, str(config.get("label", "")).strip()))
    if web_form.consent_wording.strip():
        # Last, just above the button, in the admin's exact words.
        wording = web_form.consent_wording.strip()
        offered.append(OfferedField(FieldSpec(CONSENT_FIELD, wording, "checkbox"), False, wording))
    return offered
