"""The pages of django-allauth this CRM uses: sign-in and out, passwords, two-factor and
sessions.

Left out: the pages that manage several e-mail addresses and confirm them (the profile
page changes the one address, the password confirming it) and the sign-in by a mailed
code, which is off.
"""

from allauth.account import urls as account_urls
from django.urls import include, path

from accounts import views

LEFT_OUT = {
    "account_email",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_logout",
}

urlpatterns = [
    path("logout/", views.logout, name="account_logout"),
    *(pattern for pattern in account_urls.urlpatterns if pattern.name not in LEFT_OUT),
    path("2fa/", include("allauth.mfa.urls")),
    path("sessions/", include("allauth.usersessions.urls")),
]
