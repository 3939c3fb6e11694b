"""The import wizard: upload, settings, mapping, progress and report."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.forms import int_param
from contacts.imports import files, report, services, undo
from contacts.imports.access import get_import_for_user, imports_visible_to
from contacts.imports.forms import MappingForm, SettingsForm, UploadForm
from contacts.imports.models import ImportJob

Status = ImportJob.Status


def import_list(request):
    jobs = imports_visible_to(request.user).select_related("created_by")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "contacts/imports/list.html", {"page": page})


def import_new(request):
    too_big = (
        request.method == "POST"
        and int_param(request.META.get("CONTENT_LENGTH"), 0) > settings.IMPORT_MAX_BYTES + 65536
    )
    if too_big:
        # Refused before Django reads the body: a huge upload never reaches the disk.
        max_mb = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        context = {
            "form": UploadForm(max_bytes=settings.IMPORT_MAX_BYTES),
            "max_mb": max_mb,
            "error": _("The file is larger than %(max)d MB.") % {"max": max_mb},
        }
        return render(request, "contacts/imports/upload.html", context, status=413)
    form = UploadForm(
        request.POST or None, request.FILES or None, max_bytes=settings.IMPORT_MAX_BYTES
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create(
                by=request.user,
                upload=form.cleaned_data["file"],
                has_header=form.cleaned_data["has_header"],
            )
        except files.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("contacts:import_settings", job.pk)
    context = {"form": form, "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
    return render(request, "contacts/imports/upload.html", context)


def _draft(request, pk):
    job = get_import_for_user(request.user, pk)
    if job.status != Status.DRAFT:
        return job, redirect(job)
    return job, None


def _preview(job, dialect):
    """Return the header and first rows read with dialect, or the error that stops it."""
    try:
        files.check_decodes(job.file.path, dialect.encoding)
        header, rows = files.preview(job.file.path, dialect)
    except files.ImportFileError as error:
        return {"preview_error": str(error)}
    return {"preview_header": header, "preview_rows": rows}


def import_settings(request, pk):
    job, done = _draft(request, pk)
    if done:
        return done
    form = SettingsForm(request.POST or None, job=job)
    context = {"job": job, "form": form, "step": 1}
    if request.method == "POST" and form.is_valid():
        try:
            services.job_configure(job=job, **form.configuration())
        except files.ImportFileError as error:
            form.add_error(None, str(error))
        else:
            return redirect("contacts:import_mapping", job.pk)
    dialect = form.dialect() if form.is_bound and form.is_valid() else files.dialect_of(job)
    context.update(_preview(job, dialect))
    return render(request, "contacts/imports/settings.html", context)


def import_preview(request, pk):
    """Return the preview table read with the settings in the query (htmx)."""
    job, done = _draft(request, pk)
    if done:
        return done
    if not request.GET:
        context = _preview(job, files.dialect_of(job))
        return render(request, "contacts/imports/_preview.html", context)
    form = SettingsForm(request.GET, job=job)
    form.is_valid()
    fields = ("encoding", "delimiter", "quotechar", "skip_records")
    if any(name in form.errors for name in fields):
        context = {
            "preview_error": _("Choose an encoding, a delimiter and a quote from the lists.")
        }
    else:
        data = form.cleaned_data
        dialect = files.Dialect(
            encoding=data["encoding"],
            delimiter=data["delimiter"],
            quotechar=data["quotechar"],
            has_header=data.get("has_header", False),
            skip_records=data["skip_records"],
        )
        context = _preview(job, dialect)
    return render(request, "contacts/imports/_preview.html", context)


def import_mapping(request, pk):
    job, done = _draft(request, pk)
    if done:
        return done
    # Choices made before browsing to another record are kept (htmx sends them along).
    chosen = {k: v for k, v in request.GET.items() if k.startswith("col_")}
    form = MappingForm(request.POST or None, job=job, initial=chosen)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services.job_set_mapping(job=job, targets=form.targets())
        except ValidationError as error:
            errors = error.messages
        else:
            services.job_start(job=job)
            messages.info(request, _started(job))
            return redirect(job)
    context = {"job": job, "form": form, "errors": errors, "step": 2}
    context.update(form.sample_context(max(int_param(request.GET.get("record"), 0), 0)))
    rows_only = request.htmx and request.htmx.target == "mapping-rows"
    template = "_mapping_rows.html" if rows_only else "mapping.html"
    return render(request, f"contacts/imports/{template}", context)


def _started(job):
    return _(
        "The import of “%(name)s” has started. You may leave this page: "
        "you will be notified when it ends."
    ) % {"name": job.file_name}


def _report(job, user):
    return {
        **report.report_rows(job, user),
        "list_url": reverse("contacts:list") + f"?import={job.pk}",
    }


def _detail_context(job, user):
    context = {
        "job": job,
        "progress": report.progress(job),
        "stalled": services.is_stalled(job),
        "can_resume": services.can_resume(job),
        "finished": report.has_ended(job),
        "step": 3,
    }
    if context["finished"]:
        context.update(_report(job, user))
        context["can_undo"] = undo.can_undo(job)
    return context


def import_detail(request, pk):
    job = get_import_for_user(request.user, pk)
    if job.status == Status.DRAFT:
        return redirect("contacts:import_settings", job.pk)
    return render(request, "contacts/imports/detail.html", _detail_context(job, request.user))


def import_progress(request, pk):
    """Return the progress and, once it ended, the report (polled by htmx)."""
    job = get_import_for_user(request.user, pk)
    return render(request, "contacts/imports/_progress.html", _detail_context(job, request.user))


@require_POST
def import_cancel(request, pk):
    job = get_import_for_user(request.user, pk)
    was = job.status
    job = services.job_cancel(job=job)
    if job.status == Status.RUNNING:
        messages.info(request, _("The import stops after the rows it is writing now."))
    elif job.status == Status.CANCELLED and was != Status.CANCELLED:
        messages.info(request, _("The import was cancelled."))
    else:
        # A page opened before the import ended: say so rather than that it stops.
        messages.info(request, _("The import had already ended: there was nothing to cancel."))
    return redirect(job)


@require_POST
def import_resume(request, pk):
    job = get_import_for_user(request.user, pk)
    if services.can_resume(job):
        services.job_resume(job=job)
        messages.success(request, _("The import goes on from where it stopped."))
    return redirect(job)


def import_undo(request, pk):
    job = get_import_for_user(request.user, pk)
    if request.method == "POST":
        try:
            undo.job_undo(by=request.user, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "The import was undone: its contacts were removed and the updated ones "
                    "restored."
                ),
            )
        return redirect(job)
    blockers = undo.undo_blockers(job)
    if blockers:
        blockers = undo.blockers_seen_by(request.user, blockers)
    return render(
        request,
        "contacts/imports/undo.html",
        {"job": job, "blockers": blockers, "can_undo": undo.can_undo(job)},
    )


def import_rejected(request, pk):
    """Download the rejected rows, in the file's columns with an "error" column."""
    job = get_import_for_user(request.user, pk)
    stem = "".join(c for c in job.file_name.rsplit(".", 1)[0] if c.isprintable()) or "import"
    name = f"{stem}-rejected.csv"
    if job.error_file:
        return FileResponse(
            job.error_file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type="text/csv; charset=utf-8",
        )
    response = StreamingHttpResponse(
        report.rejects_lines(job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
