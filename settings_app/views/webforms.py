"""Website forms: list, create, edit, generate the HTML, new key, delete."""

from csp.decorators import csp
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from contacts.models import Contact, WebForm
from contacts.webforms import services
from contacts.webforms.forms import WebFormForm
from contacts.webforms.html import endpoint_path, form_html
from settings_app.views import admin_required, render_settings

PREVIEW_PAGE = (
    '<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
    "<style>body{{font-family:system-ui,sans-serif;margin:1rem;color:#212529}}</style>"
    "</head><body>{html}</body></html>"
)


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
