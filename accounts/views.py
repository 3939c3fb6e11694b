from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import address_books, app_passwords, selectors, services, tokens
from accounts.forms import (
    AddressBooksForm,
    ApiTokenForm,
    AppPasswordForm,
    EmailChangeForm,
    EmailPreferencesForm,
    NameForm,
    PhotoForm,
    ProfileForm,
)
from accounts.models import EmailKind, Profile
from accounts.preferences import default_preferences, email_field

# Signing out by a link (GET) would let another site sign a user out: a form posts it.
logout = require_POST(allauth_views.logout)

# Where a token just made waits for the one page that shows it.
SHOWN_ONCE = "api_token_new"
APP_PASSWORD_SHOWN_ONCE = "app_password_new"  # noqa: S105 - a session key


def profile(request):
    """Show the signed-in user's profile; save his language and time zone."""
    shown = _shown_profile(request)
    form = ProfileForm(request.POST or None, instance=shown)
    if request.method == "POST" and form.is_valid():
        profile = services.profile_update(
            user=request.user,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        with translation.override(profile.language):
            messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        _remember_language(response, profile.language)
        return response
    # A refused form changed the instance it was given: the page shows what is stored.
    shown = _shown_profile(request) if form.is_bound else shown
    return _profile_page(request, shown, preferences_form=form)


@require_POST
def profile_name(request):
    """Change the signed-in user's first and last name."""
    form = NameForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, name_form=form)
    services.profile_name_update(user=request.user, **form.cleaned_data)
    messages.success(request, _("Your name was saved."))
    return redirect("accounts:profile")


@require_POST
def profile_email(request):
    """Change the signed-in user's e-mail address, his password confirming it."""
    form = EmailChangeForm(request.POST, user=request.user, request=request)
    if form.is_valid():
        try:
            services.email_change(
                user=request.user, email=form.cleaned_data["email"], request=request
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, _("Your e-mail address was changed."))
            return redirect("accounts:profile")
    return _profile_page(request, email_form=form)


@require_POST
def profile_notifications(request):
    """Choose which notifications also come by e-mail."""
    form = EmailPreferencesForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, notifications_form=form)
    services.email_preferences_update(user=request.user, wanted=form.cleaned_data["wanted"])
    messages.success(request, _("Your e-mail notifications were saved."))
    return redirect("accounts:profile")


@require_POST
def profile_photo(request):
    """Upload the signed-in user's photo, or take it away."""
    form = PhotoForm(request.POST, request.FILES)
    removing = "remove" in request.POST
    if removing or form.is_valid():
        try:
            upload = None if removing else form.cleaned_data["photo"]
            services.profile_photo_set(user=request.user, upload=upload)
        except ValidationError as error:
            form.add_error("photo", error)
        else:
            messages.success(
                request, _("Your photo was removed.") if removing else _("Your photo was changed.")
            )
            return redirect("accounts:profile")
    return _profile_page(request, photo_form=form)


@require_POST
def api_token_create(request):
    """Make a personal API token; the next page shows it, once."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            row, token = tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[SHOWN_ONCE] = {"id": row.pk, "token": token}
            return redirect("accounts:api_token_new")
    return _profile_page(request, api_token_form=form)


@never_cache
@require_GET
def api_token_new(request):
    """Show the token just made, once: taken out of the session as it is shown."""
    new = request.session.pop(SHOWN_ONCE, None)
    row = new and tokens.tokens_of(request.user).filter(pk=new["id"]).first()
    if not row:
        return redirect(reverse("accounts:profile") + "#api-tokens")
    api_url = request.build_absolute_uri(reverse("api:api-root"))
    context = {"row": row, "token": new["token"], "api_url": api_url}
    return render(request, "accounts/api_token_new.html", context)


@require_POST
def api_token_revoke(request, pk):
    """Revoke one of the signed-in user's tokens; anyone else's is not found."""
    token = get_object_or_404(tokens.tokens_of(request.user), pk=pk)
    tokens.token_revoke(user=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect(reverse("accounts:profile") + "#api-tokens")


@require_POST
def app_password_create(request):
    """Make an app password for a device; the next page shows it, once."""
    form = AppPasswordForm(request.POST)
    if form.is_valid():
        try:
            row, password = app_passwords.app_password_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[APP_PASSWORD_SHOWN_ONCE] = {"id": row.pk, "password": password}
            return redirect("accounts:app_password_new")
    return _profile_page(request, app_password_form=form)


@never_cache
@require_GET
def app_password_new(request):
    """Show the app password just made, once: taken out of the session as it is shown."""
    new = request.session.pop(APP_PASSWORD_SHOWN_ONCE, None)
    row = new and app_passwords.app_passwords_of(request.user).filter(pk=new["id"]).first()
    if not row:
        return redirect(reverse("accounts:profile") + "#app-passwords")
    dav_url = request.build_absolute_uri(reverse("carddav:root"))
    context = {"row": row, "password": new["password"], "dav_url": dav_url}
    return render(request, "accounts/app_password_new.html", context)


@require_POST
def app_password_revoke(request, pk):
    """Revoke one of the signed-in user's app passwords; anyone else's is not found."""
    row = get_object_or_404(app_passwords.app_passwords_of(request.user), pk=pk)
    app_passwords.app_password_revoke(user=request.user, app_password=row)
    messages.success(request, _("The app password “%(name)s” was revoked.") % {"name": row.name})
    return redirect(reverse("accounts:profile") + "#app-passwords")


@require_POST
def address_books_choose(request):
    """Choose which address books the user's devices are offered."""
    form = AddressBooksForm(request.POST)
    if form.is_valid():
        books = form.cleaned_data["books"]
        try:
            address_books.address_books_choose(
                user=request.user,
                mine="mine" in books,
                everyone="all" in books,
                tags=form.cleaned_data["tags"],
            )
        except ValidationError as error:
            form.add_error("tags", error)
        else:
            messages.success(request, _("Your address books were saved."))
            return redirect(reverse("accounts:profile") + "#address-books")
    return _profile_page(request, address_books_form=form)


@require_GET
def photo(request):
    """Return the signed-in user's own photo: the folder it is kept in is never served."""
    name = Profile.objects.filter(user=request.user).values_list("photo", flat=True).first()
    if not name:
        raise Http404
    try:
        response = FileResponse(default_storage.open(name, "rb"))
    except FileNotFoundError as exc:
        raise Http404 from exc
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _shown_profile(request):
    # Looking is not choosing: a user without a profile sees the defaults, unsaved.
    return Profile.objects.filter(user=request.user).first() or Profile(
        user=request.user, **default_preferences(translation.get_language())._asdict()
    )


def _profile_page(request, profile=None, **bound_forms):
    """Render the profile page, a refused form among its sections showing its errors."""
    user, profile = request.user, profile or _shown_profile(request)
    wanted = [kind for kind in EmailKind if getattr(profile, email_field(kind))]
    forms = {
        "name_form": NameForm(initial={"first_name": user.first_name, "last_name": user.last_name}),
        "email_form": EmailChangeForm(user=user, request=request, initial={"email": user.email}),
        "preferences_form": ProfileForm(instance=profile),
        "notifications_form": EmailPreferencesForm(initial={"wanted": wanted}),
        "photo_form": PhotoForm(),
        "api_token_form": ApiTokenForm(),
        "app_password_form": AppPasswordForm(),
        "address_books_form": AddressBooksForm.of(user, profile),
        **bound_forms,
    }
    context = {
        **forms,
        "profile": profile,
        "two_factor": selectors.two_factor_of(user),
        "sessions": selectors.sessions_of(request),
        "api_tokens": list(tokens.live_tokens_of(user)),
        "app_passwords": list(app_passwords.app_passwords_of(user)),
    }
    return render(request, "accounts/profile.html", context)


@login_not_required
def set_language(request):
    """Switch the language; a signed-in user's profile follows the switch."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        services.profile_update(user=request.user, language=language)
    return response


def _remember_language(response, language):
    # The login page, shown before any profile applies, then speaks the same language.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
