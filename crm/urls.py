from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import LoginView, set_language
from crm.guide import user_guide

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contacts:list"), name="home"),
    path("contacts/", include("contacts.urls")),
    path("settings/", include("settings_app.urls")),
    # Website forms post here from other sites: no login, no CSRF token.
    path("f/", include("contacts.webforms.urls")),
    # The link of an invitation e-mail, opened before its account may sign in.
    path("invitation/", include("contacts.team.urls")),
    # Before Django's own: the sign-in that starts a user's profile.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", include("accounts.urls")),
    # The login page offers the language switch too; a signed-in user's profile follows it.
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # docs/*.md: in the reader's language, or the one named (the guides link each other).
    path("guide/", user_guide, name="guide"),
    path("guide/<str:language>/", user_guide, name="guide_in"),
]
# MEDIA_ROOT is never served, not even with DEBUG on: photos go through contacts'
# access-checked view and imports through theirs.

# A database that cannot be reached is a 503 "try again" page, not a 500 (crm/errors.py).
handler500 = "crm.errors.server_error"
