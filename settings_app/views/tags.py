"""Tags: list with usage counts, create, rename, merge, delete, delete unused."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Value
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from taggit.models import Tag

from contacts import tags
from settings_app.views import admin_required, render_settings

PER_PAGE = 100
UNUSED_SHOWN = 30


class TagNameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = _(
            "At most %(max)d characters. Case is ignored when names are compared."
        ) % {"max": tags.TAG_MAX_LENGTH}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_name(self):
        return tags.validate_tag_name(self.cleaned_data["name"])


class TagMergeForm(forms.Form):
    target = forms.CharField(
        label=gettext_lazy("Merge into the tag"),
        max_length=200,
        help_text=gettext_lazy("Type the name of an existing tag."),
    )

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.fields["target"].widget.attrs.update(
            {
                "list": "tag-options",
                "autocomplete": "off",
                "hx-get": reverse("contacts:suggest", args=["tags"]),
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-target": "#tag-options",
            }
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_target(self):
        name = tags.normalize_tag_name(self.cleaned_data["target"])
        target = tags.tag_named(name)
        if target is None:
            raise ValidationError(_("No tag is named “%(name)s”.") % {"name": name})
        if target.pk == self.source.pk:
            raise ValidationError(_("Choose another tag: a tag cannot be merged into itself."))
        return target


def _tags_url(tag=None):
    """Return the list's URL, at the page and row of tag when given."""
    url = reverse("settings_app:tags")
    if tag is None:
        return url
    before = (
        Tag.objects.alias(lower_name=Lower("name"))
        .filter(lower_name__lt=Lower(Value(tag.name)))
        .count()
    )
    page = before // PER_PAGE + 1
    return f"{url}?{urlencode({'page': page})}#tag-{tag.pk}" if page > 1 else f"{url}#tag-{tag.pk}"


def _gone(request):
    messages.warning(
        request, _("The tag no longer exists: someone deleted or merged it in the meantime.")
    )
    return redirect("settings_app:tags")


@admin_required
def tag_list(request):
    """List the tags with how many contacts carry each; add one."""
    form = TagNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = tags.tag_create(name=form.cleaned_data["name"])
        except ValidationError as e:
            form.add_error("name", e)
        else:
            messages.success(request, _("Tag “%(name)s” added.") % {"name": tag.name})
            return redirect(_tags_url(tag))
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    page = Paginator(tags.tags_by_name(query=query), PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = tags.with_usage(page.object_list)
    context = {
        "page": page,
        "query": query,
        "form": form,
        "unused_count": tags.unused_tags().count(),
    }
    return render_settings(request, "tags", "settings_app/tags.html", context)


@admin_required
def tag_rename(request, pk):
    tag = get_object_or_404(Tag, pk=pk)
    old_name = tag.name
    form = TagNameForm(request.POST or None, initial={"name": tag.name})
    merge_into = None
    if request.method == "POST" and form.is_valid():
        try:
            tag = tags.tag_rename(tag=tag, name=form.cleaned_data["name"], by=request.user)
        except Tag.DoesNotExist:
            return _gone(request)
        except ValidationError as e:
            form.add_error("name", e)
            if e.code == "duplicate":
                merge_into = tags.tag_named(
                    tags.normalize_tag_name(form.data["name"]), exclude=tag.pk
                )
        else:
            if tag.name != old_name:
                messages.success(
                    request,
                    _("Tag “%(old)s” renamed “%(new)s”.") % {"old": old_name, "new": tag.name},
                )
            return redirect(_tags_url(tag))
    context = {"tag": tag, "form": form, "usage": tags.tag_usage(tag), "merge_into": merge_into}
    return render_settings(request, "tags", "settings_app/tags_rename.html", context)


@admin_required
def tag_merge(request, pk):
    """Merge a tag into another: its contacts get the other tag, and it is deleted."""
    source = get_object_or_404(Tag, pk=pk)
    initial = {"target": request.GET.get("target", "")[:100]}
    form = TagMergeForm(request.POST or None, source=source, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            result = tags.tag_merge(source=source, target=target, by=request.user)
        except Tag.DoesNotExist:
            return _gone(request)
        except ValidationError as e:
            form.add_error("target", e)
        else:
            message = ngettext(
                "“%(source)s” merged into “%(target)s”: %(count)d contact affected.",
                "“%(source)s” merged into “%(target)s”: %(count)d contacts affected.",
                result.contacts,
            ) % {"source": source.name, "target": target.name, "count": result.contacts}
            if result.already_tagged:
                message += " " + ngettext(
                    "%(count)d of them already carried both tags and keeps one.",
                    "%(count)d of them already carried both tags and keep one.",
                    result.already_tagged,
                ) % {"count": result.already_tagged}
            messages.success(request, message)
            return redirect(_tags_url(target))
    context = {"tag": source, "form": form, "usage": tags.tag_usage(source)}
    return render_settings(request, "tags", "settings_app/tags_merge.html", context)


@admin_required
def tag_delete(request, pk):
    """Delete a tag after a confirmation that says how many contacts carry it."""
    tag = get_object_or_404(Tag, pk=pk)
    if request.method == "POST":
        try:
            count = tags.tag_delete(tag=tag, by=request.user)
        except Tag.DoesNotExist:
            return _gone(request)
        message = _("Tag “%(name)s” deleted.") % {"name": tag.name}
        if count:
            message += " " + ngettext(
                "It was taken off %(count)d contact.",
                "It was taken off %(count)d contacts.",
                count,
            ) % {"count": count}
        messages.success(request, message)
        return redirect("settings_app:tags")
    context = {"tag": tag, "usage": tags.tag_usage(tag)}
    return render_settings(request, "tags", "settings_app/tags_delete.html", context)


@admin_required
def tags_delete_unused(request):
    """Delete every tag no contact carries, after a confirmation that says how many."""
    if request.method == "POST":
        count = tags.tags_delete_unused()
        if count:
            messages.success(
                request,
                ngettext("%(count)d unused tag deleted.", "%(count)d unused tags deleted.", count)
                % {"count": count},
            )
        else:
            messages.info(request, _("There were no unused tags to delete."))
        return redirect("settings_app:tags")
    unused = tags.unused_tags().order_by(Lower("name"), "name")
    count = unused.count()
    names = list(unused.values_list("name", flat=True)[:UNUSED_SHOWN])
    context = {"count": count, "names": names, "more": count - len(names)}
    return render_settings(request, "tags", "settings_app/tags_delete_unused.html", context)
