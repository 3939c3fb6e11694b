from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from accounts.views import set_language
from carddav import views as carddav_views
from crm.guide import user_guide

# Django's admin site signs in through the CRM's page: its password throttle and second
# factor, rather than a password alone.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # The overview is the landing page; the contact list is one click away, in the menu.
    path("", RedirectView.as_view(pattern_name="overview:index"), name="home"),
    path("overview/", include("overview.urls")),
    path("contacts/", include("contacts.urls")),
    # A contact's timeline: the card shows its first page (activities' template tag).
    path("timeline/", include("activities.urls")),
    path("tasks/", include("activities.tasks.urls")),
    # The webhooks' settings pages belong to the api app, which sends them.
    path("settings/webhooks/", include("api.webhooks.urls")),
    # Finding a person everywhere, his copy and the register: the privacy app's pages.
    path("settings/personal-data/", include("privacy.urls")),
    path("settings/", include("settings_app.urls")),
    # Website forms post here from other sites: no login, no CSRF token.
    path("f/", include("contacts.webforms.urls")),
    # The link of an invitation e-mail, opened before its account may sign in.
    path("invitation/", include("contacts.team.urls")),
    # Sign-in, passwords, two-factor and sessions: django-allauth's pages.
    path("accounts/", include("accounts.sign_in_urls")),
    path("account/", include("accounts.urls")),
    # The login page offers the language switch too; a signed-in user's profile follows it.
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # The REST API for other software: /api/v1/, its schema and docs (api/).
    path("api/", include("api.urls")),
    # The address books for phones and mail programs (CardDAV, carddav/), and where
    # their clients look for them first (RFC 6764).
    path("dav/", include("carddav.urls")),
    re_path(r"^\.well-known/carddav/?$", carddav_views.well_known, name="carddav_well_known"),
    # docs/*.md: in the reader's language, or the one named (the guides link each other).
    path("guide/", user_guide, name="guide"),
    path("guide/<str:language>/", user_guide, name="guide_in"),
]
# MEDIA_ROOT is never served, not even with DEBUG on: photos go through contacts'
# access-checked view and imports through theirs.

# A database that cannot be reached is a 503 "try again" page, not a 500 (crm/errors.py).
handler500 = "crm.errors.server_error"
