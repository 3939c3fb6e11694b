"""The audit's entries in the reader's words: the labels and sentences of their codes."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import get_language_info, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _

from accounts.audit import Action
from accounts.models import ApiToken, AuditEntry
from contacts.team.services import Role

# As a sentence says them: "as a CRM user", "in French".
ROLE_IN_PROSE = {Role.ADMIN: gettext_lazy("a CRM admin"), Role.USER: gettext_lazy("a CRM user")}
SUPPRESSION_KIND = {"email": gettext_lazy("email"), "phone": gettext_lazy("phone")}
IN_LANGUAGE = {"en": gettext_lazy("in English"), "fr": gettext_lazy("in French")}


def in_language(code: str) -> str:
    """Return "in <the language>", as a sentence ends."""
    if code in IN_LANGUAGE:
        return str(IN_LANGUAGE[code])
    return _("in %(language)s") % {"language": language_name(code)}


def role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


def scope_label(code: str) -> str:
    try:
        return str(ApiToken.Scope(code).label).lower()
    except ValueError:
        return code


def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def details_text(entry: AuditEntry) -> str:
    """Return what the entry's details say, as a short phrase; empty when nothing more."""
    d = entry.details
    match entry.action:
        case Action.INVITATION_SENT:
            role = d.get("role", "")
            return _("%(email)s, as %(role)s, %(in_language)s") % {
                "email": d.get("email", ""),
                "role": ROLE_IN_PROSE.get(role, role),
                "in_language": in_language(d.get("language", "")),
            }
        case Action.INVITATION_RESENT | Action.INVITATION_REVOKED | Action.PASSWORD_RESET_SENT:
            return d.get("email", "")
        case Action.INVITATION_ACCEPTED:
            return _("username “%(username)s”") % {"username": d.get("username", "")}
        case Action.ROLE_CHANGED:
            return pgettext("from a role to another", "%(old)s → %(new)s") % {
                "old": role_label(d.get("old", "")),
                "new": role_label(d.get("new", "")),
            }
        case Action.USER_DEACTIVATED:
            return _deactivated(d.get("contacts", 0), d.get("alone", 0))
        case Action.CONTACTS_HANDED_OVER:
            count = d.get("contacts", 0)
            return ngettext(
                "%(shown)s contact to %(name)s", "%(shown)s contacts to %(name)s", count
            ) % {"shown": intcomma(count), "name": d.get("to_name", "")}
        case Action.MFA_RESET:
            return _("signs in with the password alone until set up again")
        case Action.API_TOKEN_CREATED | Action.API_TOKEN_REVOKED:
            return _("“%(name)s”, %(scope)s") % {
                "name": d.get("name", ""),
                "scope": scope_label(d.get("scope", "")),
            }
        case Action.APP_PASSWORD_CREATED | Action.APP_PASSWORD_REVOKED:
            return _("“%(name)s”") % {"name": d.get("name", "")}
        case Action.SUPPRESSION_LIFTED:
            kind = d.get("kind", "")
            return _("%(kind)s %(digest)s…") % {
                "kind": SUPPRESSION_KIND.get(kind, kind),
                "digest": d.get("digest", ""),
            }
    return ""


def _deactivated(contacts: int, alone: int) -> str:
    text = ngettext(
        "responsible for %(shown)s contact", "responsible for %(shown)s contacts", contacts
    ) % {"shown": intcomma(contacts)}
    if alone:
        text += ", " + ngettext(
            "%(shown)s private with nobody else", "%(shown)s private with nobody else", alone
        ) % {"shown": intcomma(alone)}
    return text
