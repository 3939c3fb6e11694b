"""Refuse every page of the CRM to an account that is not a CRM user."""

from django.shortcuts import render

from contacts.access import is_crm_user

# The pages every account keeps: its own (sign-in and out, password, two-factor, sessions,
# profile) and the user guide. Django's admin site has its own
# check (superusers only, crm/admin.py).
OPEN_TO_EVERY_ACCOUNT = {"guide", "guide_in"}
OPEN_PREFIXES = ("account_", "mfa_", "usersessions_")  # django-allauth's pages
OPEN_NAMESPACES = {"admin", "accounts"}


class CrmUserRequiredMiddleware:
    """Answer 403 to an account that is not a CRM user, on every page but its own.

    One check for every URL, the ones added later too, rather than one per view: an
    account taken out of the "CRM users" group could otherwise still create contacts
    or read the lists wherever a view forgot to ask.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Anonymous visitors are LoginRequiredMiddleware's (it runs first): the login page.
        if not request.user.is_authenticated or is_crm_user(request.user):
            return None
        if not getattr(view_func, "login_required", True):  # public: @login_not_required
            return None
        match = request.resolver_match
        name = match.view_name
        if name in OPEN_TO_EVERY_ACCOUNT or name.startswith(OPEN_PREFIXES):
            return None
        if OPEN_NAMESPACES & set(match.namespaces):
            return None
        return render(request, "not_crm_user.html", status=403)
