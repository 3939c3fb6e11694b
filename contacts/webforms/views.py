"""The public endpoint that websites post their forms to.

No login and no CSRF token: other sites post here. What protects it instead: the form's
token (it changes with the secret key), a honeypot, a minimum time between the page
load and the submission (a signed timestamp), a per-IP rate limit and a body size limit.
Whatever a visitor posts, the answer is a redirect or a plain page, never a 500; when a
submission is refused, the page gives the visitor's values back in the form, to send
again, unless they cannot be read.
"""

import hashlib
import logging
from urllib.parse import unquote_to_bytes, urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from accounts.network import client_ip
from contacts.models import WebForm
from contacts.webforms import services
from contacts.webforms.fields import offered_fields
from contacts.webforms.validation import (
    BACK_FIELD,
    HONEYPOT_FIELD,
    TIMESTAMP_FIELD,
    TOKEN_FIELD,
    SubmissionForm,
    form_token,
    issue_timestamp,
    timestamp_age,
    token_is_current,
)

logger = logging.getLogger(__name__)


class SeeOther(HttpResponseRedirect):
    status_code = 303
    # The success page may be on any site the admin chose: not only http(s) of this host.
    allowed_schemes = ["http", "https"]


def _over_rate_limit(request):
    """Count this submission for the visitor's address; return whether it is one too many."""
    key = "webforms:rate:" + hashlib.sha256(client_ip(request).encode()).hexdigest()
    window = settings.WEBFORM_RATE_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    # None: Redis cannot be reached (settings.CACHES): nothing to count with meanwhile.
    return count is not None and count > settings.WEBFORM_RATE_LIMIT


def _page(request, status, title, message, **context):
    """Render the plain page a visitor sees when the CRM answers itself."""
    context = {"title": title, "message": message, **context}
    return render(request, "contacts/webforms/public.html", context, status=status)


def _check_utf8(request, body):
    """Raise UnicodeDecodeError unless the posted text is UTF-8."""
    if request.content_type == "application/x-www-form-urlencoded":
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    elif request.content_type == "multipart/form-data":
        body.decode("utf-8")
    else:
        raise ValueError(request.content_type)


def _read_post(request):
    """Return the posted fields, or the page that says why they cannot be read."""
    try:
        _check_utf8(request, request.body)
        # Checked as UTF-8 above, whatever charset the request claims.
        request.encoding = "utf-8"
        return request.POST, None
    except RequestDataTooBig:
        return None, _too_big(request)
    except UnicodeDecodeError:
        message = _("The form was not sent as UTF-8 text. Send it again from its page.")
    except (MultiPartParserError, SuspiciousOperation, ValueError):
        message = _("The form's data could not be read. Send it again from its page.")
    return None, _page(request, 400, _("The form could not be sent"), message)


COULD_NOT_SEND = gettext_lazy("The form could not be sent")
TOO_LONG = gettext_lazy("What was sent is too long. Shorten the texts and send the form again.")
TOO_MANY = gettext_lazy("Too many submissions")
WAIT = gettext_lazy("Too many forms were sent from your address. Wait a few minutes and try again.")


def _too_big(request):
    return _page(request, 413, COULD_NOT_SEND, TOO_LONG)


@csrf_exempt
@login_not_required
@never_cache
# The confirmation page posts here again, and the answer then leads to the admin's own
# site: a form-action of 'self' would stop the browser at that redirect.
@csp_replace({"form-action": None})
def submit(request, public_id):
    """Receive a website form: create or update the contact, or say what is wrong."""
    if request.method != "POST":
        return _not_posted(request)
    refused = _refused_unread(request, public_id)
    if refused:
        return refused
    web_form = WebForm.objects.filter(public_id=public_id).first()
    if web_form is None:
        return _page(
            request,
            404,
            _("Form not found"),
            _("This form does not exist or was deleted. The site that shows it needs updating."),
        )
    with translation.override(web_form.language):
        if not web_form.is_active:
            return _page(
                request,
                410,
                _("This form is closed"),
                _("This form no longer accepts submissions."),
            )
        return _receive(request, web_form)


def _not_posted(request):
    response = _page(
        request,
        405,
        _("Website form"),
        _("This address receives a form sent from a web site. Open the page that shows it."),
    )
    response["Allow"] = "POST"
    return response


def _refused_unread(request, public_id):
    """Return the answer to a submission over the rate limit or too long, else None."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if _over_rate_limit(request):
        readable = 0 <= length <= settings.WEBFORM_MAX_BODY_BYTES
        return _refused(request, public_id, readable, 429, TOO_MANY, WAIT)
    if length < 0 or length > settings.WEBFORM_MAX_BODY_BYTES:
        # The values are still read up to Django's own limit: in a script of several bytes
        # a letter, a visitor passes this one while typing no more than the fields allow.
        return _refused(request, public_id, length >= 0, 413, COULD_NOT_SEND, TOO_LONG)
    return None


def _refused(request, public_id, readable, status, title, message):
    """Answer a submission refused before its fields are read: with its values when the
    body may be read, else with a plain page."""
    web_form = WebForm.objects.filter(public_id=public_id, is_active=True).first()
    if web_form is None or not readable:
        return _page(request, status, title, message)
    with translation.override(web_form.language):
        post, error_page = _read_post(request)
        if error_page or not token_is_current(web_form, post.get(TOKEN_FIELD, "")):
            return _page(request, status, title, message)
        if post.get(HONEYPOT_FIELD, "").strip():
            return _page(request, status, title, message)
        form = SubmissionForm(post, web_form=web_form)
        errors = form.errors if not form.is_valid() else {}
        return _form_again(request, web_form, post, status, title, message, errors)


OUT_OF_DATE = gettext_lazy("This copy of the form is out of date")
NEW_KEY = gettext_lazy(
    "The form's key was changed: this copy of the form no longer works. "
    "The site that shows it must paste the form's new HTML."
)
CHECK = gettext_lazy("Please check the form")
MISSING_OR_WRONG = gettext_lazy(
    "Some fields are missing or wrong. Correct them and send the form again."
)
SEND_IT = gettext_lazy("Send the form?")
NO_TIMESTAMP = gettext_lazy("Check what you wrote, then send the form.")
TOO_FAST = gettext_lazy("The form was sent very quickly. Check what you wrote, then send it again.")


def _receive(request, web_form):
    post, error_page = _read_post(request)
    if error_page:
        return error_page
    if not token_is_current(web_form, post.get(TOKEN_FIELD, "")):
        return _page(request, 400, OUT_OF_DATE, NEW_KEY)
    if post.get(HONEYPOT_FIELD, "").strip():
        # Answered as a success: a robot learns nothing.
        logger.info("Website form %s: honeypot filled by %s", web_form.pk, client_ip(request))
        return _success(request, web_form)
    form = SubmissionForm(post, web_form=web_form)
    if not form.is_valid():
        return _form_again(request, web_form, post, 400, CHECK, MISSING_OR_WRONG, form.errors)
    age = timestamp_age(web_form.public_id, post.get(TIMESTAMP_FIELD, ""))
    if age is None or age < settings.WEBFORM_MIN_SECONDS:
        # No script ran on the page, or the form went out too fast for a person: a page
        # of ours asks to confirm, with a fresh timestamp.
        message = NO_TIMESTAMP if age is None else TOO_FAST
        return _form_again(request, web_form, post, 200, SEND_IT, message)
    services.web_form_submit(
        web_form=web_form, cleaned=form.cleaned_data, values=form.submitted_values()
    )
    return _success(request, web_form)


def _success(request, web_form):
    if web_form.success_url:
        return SeeOther(web_form.success_url)
    return SeeOther(f"{request.path}thanks/")


def allowed_back_url(web_form, url):
    """Return url when it is a page of a site the form may send visitors back to, else ""."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    hosts = list(web_form.allowed_hosts)
    if web_form.success_url:
        hosts.append(urlsplit(web_form.success_url).netloc)
    for host in hosts:
        try:
            allowed = urlsplit(f"//{host}")
            allowed_port = allowed.port
        except ValueError:
            continue
        if allowed.hostname == parts.hostname and allowed_port in (None, port):
            return url
    return ""


def _referring_page(request):
    """Return the Referer when it names a page: across sites, browsers send only the origin."""
    referer = request.headers.get("Referer", "")
    try:
        return referer if urlsplit(referer).path not in ("", "/") else ""
    except ValueError:
        return ""


def _form_again(request, web_form, post, status, title, message, errors=None):
    """Show the form on a page of ours, filled in with what the visitor sent, to send again.

    The values are the posted text, as typed; the page carries the form's token and a
    fresh timestamp, and links back to the form's own page when it is on a site of the form.
    """
    errors = errors or {}
    fields = _filled_in(web_form, post, errors)
    back = allowed_back_url(web_form, post.get(BACK_FIELD, "")) or allowed_back_url(
        web_form, _referring_page(request)
    )
    hidden = [
        (TOKEN_FIELD, form_token(web_form)),
        (TIMESTAMP_FIELD, issue_timestamp(web_form.public_id)),
        (BACK_FIELD, back),
    ]
    return _page(
        request,
        status,
        title,
        message,
        errors=_error_summary(fields, errors),
        fields=fields,
        has_required=any(f["offered"].required for f in fields),
        hidden=hidden,
        action=request.path,
        honeypot=HONEYPOT_FIELD,
        back=back,
    )


def _filled_in(web_form, post, errors):
    """Return the form's fields with the values posted and the errors of each."""
    return [
        {
            "offered": offered,
            "id": f"field-{offered.name}",
            "value": post.get(offered.name, ""),
            "errors": [str(m) for m in errors.get(offered.name, [])],
        }
        for offered in offered_fields(web_form)
    ]


def _error_summary(fields, errors):
    """Return (field id, label, message) of each error, for the list atop the page."""
    summary = [(f["id"], f["offered"].shown_label, m) for f in fields for m in f["errors"]]
    # Errors of the whole form, if a check ever gives one: said without a link.
    return summary + [("", "", str(m)) for m in errors.get("__all__", [])]


@login_not_required
@never_cache
def thanks(request, public_id):
    web_form = WebForm.objects.filter(public_id=public_id).first()
    with translation.override(web_form.language if web_form else translation.get_language()):
        return _page(
            request, 200, _("Thank you"), _("Your message was sent. We will get back to you soon.")
        )


@login_not_required
@never_cache
def timestamp(request, public_id):
    """Return a signed timestamp of now, for the script of a form's page (any origin)."""
    response = HttpResponse(issue_timestamp(public_id), content_type="text/plain; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
