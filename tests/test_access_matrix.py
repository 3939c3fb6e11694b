"""Every URL of the project, called by every persona on contacts of every access level.

The personas, as the access rules read them (README, Architecture: access):

- anon: not logged in.
- stranger: an active account taken out of the "CRM users" group (every new account
  joins that group; see contacts/signals.py): not a CRM user. Every CRM page and action
  refuses him with a 403; he keeps the login, his password and the way out.
- reader: bob, a CRM user responsible for none of the contacts. He reads the
  public_read contact and, being in CRM users, may also change the public_rw one: the
  "public-read reader" and the "public-rw user" of the issue are the same account,
  the access level of the contact tells which role he plays.
- alice: the responsible user of every contact here.
- admin: in the "CRM admins" group.
- root: a superuser.

Each URL is called with GET and POST (empty data) by each persona, once per access
level for the URLs about one contact, once otherwise. The address books (CardDAV) are
called with GET and PROPFIND instead, over Basic with the persona's own app password,
each persona at its own addresses. EXPECT holds the answer of
every cell; a URL missing from it fails the test. A 200 to a persona who may not see
the private contact must not name it, and a refused POST must not change the database.
"""

import base64
import io
from datetime import date

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from accounts import services as accounts_services
from accounts import tokens as api_tokens
from accounts.app_passwords import app_password_create
from accounts.models import ApiToken, AuditEntry, Invitation
from activities import services as activities
from activities.models import Event, EventCategory, TaskCategory
from activities.tasks import services as task_services
from api.webhooks import services as webhook_services
from api.webhooks.models import TEST_EVENT, Delivery, Subscription
from contacts import contact_types as config
from contacts import tags
from contacts.bulk import services as bulk
from contacts.custom_fields import services as custom_fields
from contacts.imports import services as import_services
from contacts.imports.models import ImportJob
from contacts.models import (
    CRM_ADMINS_GROUP,
    CRM_USERS_GROUP,
    BulkJob,
    Contact,
    ContactEvent,
    ContactType,
    CrmSettings,
    CustomField,
    Notification,
    Suppression,
    WebForm,
)
from contacts.personal_data import suppression
from contacts.photos.files import process_photo
from contacts.relations.models import Relation, RelationType
from contacts.relations.services import relation_add
from contacts.services import ContactData, contact_create, contact_update
from contacts.team import invitations
from contacts.trash.services import contact_delete
from privacy import exports as privacy_exports
from tests.support import log_in_recently, make_security_key, make_web_form

PERSONAS = ("anon", "stranger", "reader", "alice", "admin", "root")
LEVELS = ("private", "public_read", "public_rw")
SECRET = "privatissimo"  # in the private contact's name and e-mail, and nowhere else

# Patterns left out of the matrix, and why. (MEDIA_URL is not routed, DEBUG or not:
# test_private_photo_is_served_only_through_the_access_checked_view checks it.)
SKIPPED = {
    "admin:*": "Django's admin site: superusers only (crm/admin.py, tests/test_admin_site.py)",
}


# The expectations. A row gives the answer to each persona, in the order of PERSONAS; a
# tuple in a row gives it per access level (private, public_read, public_rw).
L = "login"  # a redirect to the login page
N = 403  # the stranger, not a CRM user: refused before the view is asked
#             anon stranger reader             alice admin root
CRM_PAGE = (L, N, 200, 200, 200, 200)
ACCOUNT_PAGE = (L, 200, 200, 200, 200, 200)  # the account's own: its password
ANYONE = (200, 200, 200, 200, 200, 200)
REDIRECTS = (L, N, 302, 302, 302, 302)
POST_ONLY = (L, N, 405, 405, 405, 405)
GET_ONLY = POST_ONLY
ACCOUNT_POST_ONLY = (L, 405, 405, 405, 405, 405)
ACCOUNT_REDIRECTS = (L, 302, 302, 302, 302, 302)
ALICES = (L, 404, 404, 200, 404, 404)  # her own security key
ACCOUNT_404 = (L, 404, 404, 404, 404, 404)
SIGNED_IN_REDIRECTED = (200, 302, 302, 302, 302, 302)
ADMIN_ONLY = (L, N, 403, 403, 200, 200)
ADMIN_REDIRECTS = (L, N, 403, 403, 302, 302)
ADMIN_POST_ONLY = (L, N, 403, 403, 405, 405)
ADMIN_BAD_REQUEST = (L, N, 403, 403, 400, 400)
CONTACT_READ = (L, N, (404, 200, 200), 200, 200, 200)
CONTACT_CHANGE = (L, N, (404, 403, 200), 200, 200, 200)
CONTACT_CHANGED = (L, N, (404, 403, 302), 302, 302, 302)
OWN_IMPORT = (L, N, 404, 200, 200, 200)  # the importer and CRM admins
OWN_IMPORT_REDIRECTS = (L, N, 404, 302, 302, 302)
ALICE_ONLY = (L, N, 404, 200, 404, 404)  # her bulk job, her notification
# alice's event on each contact: hers to edit; hers or a CRM admin's to delete.
OWN_EVENT = (L, N, (404, 403, 403), 200, 403, 403)
OWN_EVENT_DELETE = (L, N, (404, 403, 403), 200, 200, 200)
OWN_EVENT_DELETED = (L, N, (404, 403, 403), 302, 302, 302)

# The API, through a session: problem details rather than pages. An empty POST creates
# nothing: a body that is no JSON is a 400.
API_401 = 401  # anon: no token and no session
API = (API_401, N, 200, 200, 200, 200)
API_CONTACT = (API_401, N, (404, 200, 200), 200, 200, 200)
API_NO_POST = (405, 405, 405, 405, 405, 405)

# The address books (CardDAV), over Basic with an app password: anon gets a 401 asking
# for one; GET, then PROPFIND's multistatus (207).
DAV_READ = (401, N, 200, 200, 200, 200)
DAV_LISTED = (401, N, 207, 207, 207, 207)
DAV_CARD = (401, N, (404, 200, 200), 200, 200, 200)
DAV_CARD_LISTED = (401, N, (404, 207, 207), 207, 207, 207)

EXPECT = {  # name: (GET, POST)
    "api:me": (API, API_NO_POST),
    "api:contact_list": (API, (API_401, N, 400, 400, 400, 400)),
    "api:contact_get": (API_CONTACT, API_NO_POST),
    # The same addresses under the names of their other methods (PATCH, DELETE, POST).
    "api:contact_new": (API, (API_401, N, 400, 400, 400, 400)),
    "api:contact_change": (API_CONTACT, API_NO_POST),
    "api:contact_replace": (API_CONTACT, API_NO_POST),
    "api:contact_trash": (API_CONTACT, API_NO_POST),
    "api:contact_merge": (API_NO_POST, (API_401, N, 400, 400, 400, 400)),
    # Each contact kept, merged with a public_read company: the reader may not delete it.
    "api:contact_merge_choices": ((API_401, N, (404, 403, 403), 200, 200, 200), API_NO_POST),
    "api:bulk_new": (API_NO_POST, (API_401, N, 400, 400, 400, 400)),
    "api:bulk_get": ((API_401, N, 404, 200, 404, 404), API_NO_POST),  # alice's job
    "api:contact_types": (API, API_NO_POST),
    # The trash: restoring alice's trashed contacts (the trash page's cases).
    "api:trash_list": (API, API_NO_POST),
    # A contact's events: read where the contact is seen; a body that is no JSON is a 400,
    # read before the contact is looked for.
    "api:event_list": (API_CONTACT, (API_401, N, 400, 400, 400, 400)),
    "api:event_new": (API_CONTACT, (API_401, N, 400, 400, 400, 400)),
    "api:event_change": (API_NO_POST, API_NO_POST),
    "api:event_remove": (API_NO_POST, API_NO_POST),
    "api:trash_restore": (API_NO_POST, (API_401, N, (404, 403, 200), 200, 200, 200)),
    # An empty POST is no upload: the import's form refuses it (422), nothing is made.
    "api:import_list": (API, (API_401, N, 422, 422, 422, 422)),
    "api:import_new": (API, (API_401, N, 422, 422, 422, 422)),
    "api:import_get": ((API_401, N, 404, 200, 200, 200), API_NO_POST),  # as OWN_IMPORT
    # Tasks: alice's task on each contact, seen where its contact is; an empty POST is a 400.
    "api:task_list": (API, (API_401, N, 400, 400, 400, 400)),
    "api:task_new": (API, (API_401, N, 400, 400, 400, 400)),
    "api:task_get": (API_CONTACT, API_NO_POST),
    "api:task_change": (API_CONTACT, API_NO_POST),
    "api:task_remove": (API_CONTACT, API_NO_POST),
    "api:tags": (API, API_NO_POST),
    "api:user_fields": (API, API_NO_POST),
    "api:users": (API, API_NO_POST),
    "api:openapi-json": (ANYONE, API_NO_POST),
    "api:openapi-view": (CRM_PAGE, POST_ONLY),
    "api:api-root": ((404,) * 6, (404,) * 6),
    "api_not_found": ((404,) * 6, (404,) * 6),
    "home": (REDIRECTS, REDIRECTS),
    # The landing page: figures of what each persona may see (tests/overview).
    "overview:index": (CRM_PAGE, GET_ONLY),
    "contacts:list": (CRM_PAGE, CRM_PAGE),
    "contacts:create": (CRM_PAGE, CRM_PAGE),
    "contacts:detail": (CONTACT_READ, CONTACT_READ),
    "contacts:edit": (CONTACT_CHANGE, CONTACT_CHANGE),
    "contacts:delete": (CONTACT_CHANGE, CONTACT_CHANGED),
    "contacts:history": (CONTACT_READ, CONTACT_READ),
    # Linking needs the right to change the person, not the company: the empty name
    # posted finds nobody and comes back to the card.
    "contacts:link_person": (POST_ONLY, (L, N, (404, 302, 302), 302, 302, 302)),
    # Relations: the search page (an empty post is the form with its errors); removing
    # alice's relation of each contact with a public company the reader sees.
    "contacts:relation_add": (CONTACT_CHANGE, CONTACT_CHANGE),
    "contacts:relation_remove": (POST_ONLY, CONTACT_CHANGED),
    "contacts:photo": (CONTACT_READ, CONTACT_READ),
    # A person's positions: an empty form comes back with its errors; an empty end date
    # ends the position today.
    "contacts:position_add": (CONTACT_CHANGE, CONTACT_CHANGE),
    "contacts:position_end": (POST_ONLY, CONTACT_CHANGED),
    "contacts:position_remove": (POST_ONLY, CONTACT_CHANGED),
    "contacts:position_primary": (POST_ONLY, CONTACT_CHANGED),
    # The photo dialog: an empty post chooses nothing and shows the dialog again.
    "contacts:photo_change": (CONTACT_CHANGE, CONTACT_CHANGE),
    "contacts:photo_candidates": (CONTACT_CHANGE, GET_ONLY),
    "contacts:suggest": (CRM_PAGE, CRM_PAGE),
    "contacts:notifications": (CRM_PAGE, CRM_PAGE),
    "contacts:notifications_read_all": (POST_ONLY, REDIRECTS),
    "contacts:notification_read": (POST_ONLY, (L, N, 404, 302, 404, 404)),
    "contacts:duplicates": (CRM_PAGE, CRM_PAGE),
    # ?keep= on GET only: a POST without it names no contact.
    "contacts:merge": (CONTACT_CHANGE, (L, N, 404, 404, 404, 404)),
    "contacts:trash": (CRM_PAGE, CRM_PAGE),
    "contacts:trash_restore": (CONTACT_CHANGED, CONTACT_CHANGED),
    "contacts:trash_purge": (CONTACT_CHANGE, CONTACT_CHANGED),
    "contacts:bulk": (POST_ONLY, REDIRECTS),  # an empty selection goes back to the list
    "contacts:bulk_job": (ALICE_ONLY, ALICE_ONLY),
    "contacts:bulk_skipped": (ALICE_ONLY, ALICE_ONLY),
    # Her bulk delete, undone by her only.
    "contacts:bulk_undo": (POST_ONLY, (L, N, 404, 302, 404, 404)),
    # Nothing ticked: back to the trash, which says so.
    "contacts:trash_restore_selected": (POST_ONLY, REDIRECTS),
    "contacts:trash_purge_selected": (POST_ONLY, REDIRECTS),
    "contacts:export_csv": (CRM_PAGE, CRM_PAGE),
    "contacts:export_vcard": (CRM_PAGE, CRM_PAGE),
    "contacts:vcard": (CONTACT_READ, CONTACT_READ),
    "contacts:import_list": (CRM_PAGE, CRM_PAGE),
    "contacts:import_new": (CRM_PAGE, CRM_PAGE),
    "contacts:import_detail": (OWN_IMPORT, OWN_IMPORT),
    # The wizard's steps of a finished import go to its report.
    "contacts:import_settings": (OWN_IMPORT_REDIRECTS, OWN_IMPORT_REDIRECTS),
    "contacts:import_preview": (OWN_IMPORT_REDIRECTS, OWN_IMPORT_REDIRECTS),
    "contacts:import_mapping": (OWN_IMPORT_REDIRECTS, OWN_IMPORT_REDIRECTS),
    "contacts:import_progress": (OWN_IMPORT, OWN_IMPORT),
    "contacts:import_cancel": (POST_ONLY, OWN_IMPORT_REDIRECTS),
    "contacts:import_resume": (POST_ONLY, OWN_IMPORT_REDIRECTS),
    "contacts:import_undo": (OWN_IMPORT, OWN_IMPORT_REDIRECTS),
    "contacts:import_rejected": (OWN_IMPORT, OWN_IMPORT),
    # A contact's timeline; an empty post of an event is the form with its errors.
    "activities:timeline": (CONTACT_READ, GET_ONLY),
    "activities:event_add": (CONTACT_CHANGE, CONTACT_CHANGE),
    "activities:event_edit": (OWN_EVENT, OWN_EVENT),
    "activities:event_delete": (OWN_EVENT_DELETE, OWN_EVENT_DELETED),
    "activities:attachment": (CONTACT_READ, GET_ONLY),
    # alice's task on each contact: changed by whoever may change the contact; an empty
    # post of the form is the form with its errors.
    "tasks:list": (CRM_PAGE, CRM_PAGE),
    "tasks:add": (CRM_PAGE, CRM_PAGE),
    "tasks:bulk": (POST_ONLY, CRM_PAGE),  # nothing selected: the page says so
    "tasks:edit": (CONTACT_CHANGE, CONTACT_CHANGE),
    "tasks:done": (POST_ONLY, CONTACT_CHANGED),
    "tasks:delete": (CONTACT_CHANGE, CONTACT_CHANGED),
    "settings_app:index": (ADMIN_REDIRECTS, ADMIN_REDIRECTS),
    "settings_app:types": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:type_reorder": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "settings_app:type_edit": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:type_move": (ADMIN_POST_ONLY, ADMIN_BAD_REQUEST),
    "settings_app:type_delete": (ADMIN_ONLY, ADMIN_REDIRECTS),
    "settings_app:fields": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:field_reorder": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "settings_app:field_edit": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:field_move": (ADMIN_POST_ONLY, ADMIN_BAD_REQUEST),
    "settings_app:field_delete": (ADMIN_ONLY, ADMIN_REDIRECTS),
    "settings_app:currency": (ADMIN_ONLY, ADMIN_ONLY),
    # An unused category: an empty post deletes it; one that renames it is a form's errors.
    "settings_app:event_categories": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:event_category_edit": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:event_category_move": (ADMIN_POST_ONLY, ADMIN_BAD_REQUEST),
    "settings_app:event_category_delete": (ADMIN_ONLY, ADMIN_REDIRECTS),
    "settings_app:task_categories": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:task_category_edit": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:task_category_move": (ADMIN_POST_ONLY, ADMIN_BAD_REQUEST),
    "settings_app:task_category_delete": (ADMIN_ONLY, ADMIN_REDIRECTS),
    # An unused type: an empty post deletes it; one that edits it is a form's errors.
    "settings_app:relation_types": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:relation_type_edit": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:relation_type_move": (ADMIN_POST_ONLY, ADMIN_BAD_REQUEST),
    "settings_app:relation_type_delete": (ADMIN_ONLY, ADMIN_REDIRECTS),
    # Users: the pages name carol, a CRM user, or nina, invited; the list and the audit
    # answer GET only. An empty post deactivates carol (nothing to choose), is a form
    # with its errors (invite, hand over), a bad request (no role), or comes back to
    # the user's page (reactivating an active user, resending and withdrawing).
    "settings_app:users": (ADMIN_ONLY, ADMIN_POST_ONLY),
    "settings_app:user_invite": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:user": (ADMIN_ONLY, ADMIN_POST_ONLY),
    "settings_app:user_set_role": (ADMIN_POST_ONLY, ADMIN_BAD_REQUEST),
    # carol has no second factor to reset (a message says so); she gets a reset link.
    "settings_app:user_two_factor_reset": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "settings_app:user_password_reset": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "settings_app:user_photo": (ADMIN_ONLY, ADMIN_POST_ONLY),  # carol has one
    "settings_app:user_deactivate": (ADMIN_ONLY, ADMIN_REDIRECTS),
    "settings_app:user_reactivate": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "settings_app:user_hand_over": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:invitation_resend": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "settings_app:invitation_revoke": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "settings_app:audit": (ADMIN_ONLY, ADMIN_POST_ONLY),
    # Personal data: the list answers GET only; an empty lift is the form's error; the
    # review's empty post turns it off, and keeping nothing comes back to it.
    "settings_app:suppression": (ADMIN_ONLY, ADMIN_POST_ONLY),
    "settings_app:suppression_lift": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:retention": (ADMIN_ONLY, ADMIN_REDIRECTS),
    "settings_app:retention_keep": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "settings_app:tags": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:tags_delete_unused": (ADMIN_ONLY, ADMIN_REDIRECTS),
    "settings_app:tag_rename": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:tag_merge": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:tag_delete": (ADMIN_ONLY, ADMIN_REDIRECTS),
    "settings_app:webforms": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:webform_create": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:webform": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:webform_edit": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:webform_preview": (ADMIN_ONLY, ADMIN_ONLY),
    "settings_app:webform_set_active": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "settings_app:webform_new_key": (ADMIN_ONLY, ADMIN_REDIRECTS),
    "settings_app:webform_delete": (ADMIN_ONLY, ADMIN_REDIRECTS),
    # The website forms' public endpoint: other sites post to it (an empty post is refused).
    "webhooks:list": (ADMIN_ONLY, ADMIN_ONLY),
    "webhooks:create": (ADMIN_ONLY, ADMIN_ONLY),
    "webhooks:deliveries": (ADMIN_ONLY, ADMIN_ONLY),
    "webhooks:edit": (ADMIN_ONLY, ADMIN_ONLY),
    "webhooks:delete": (ADMIN_ONLY, ADMIN_REDIRECTS),
    "webhooks:test": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    "webhooks:redeliver": (ADMIN_POST_ONLY, ADMIN_REDIRECTS),
    # Settings › Personal data: an empty post to the find or the copy is the form's errors.
    "privacy:find": (ADMIN_ONLY, ADMIN_ONLY),
    "privacy:exports": (ADMIN_ONLY, ADMIN_POST_ONLY),
    "privacy:export_new": (ADMIN_POST_ONLY, ADMIN_ONLY),
    "privacy:export_download": (ADMIN_ONLY, ADMIN_POST_ONLY),
    "privacy:register": (ADMIN_ONLY, ADMIN_POST_ONLY),
    # The erasure: its confirmation answers a post from the find page (an empty one is
    # the find form's errors), or a contact's link; an unticked box is the form's error.
    "privacy:erase": (ADMIN_POST_ONLY, ADMIN_ONLY),
    "privacy:erase_contact": (ADMIN_ONLY, ADMIN_ONLY),
    "privacy:erasures": (ADMIN_ONLY, ADMIN_POST_ONLY),
    "privacy:register_csv": (ADMIN_ONLY, ADMIN_POST_ONLY),
    "webforms:submit": ((405,) * 6, (400,) * 6),
    "webforms:timestamp": (ANYONE, ANYONE),
    "webforms:thanks": (ANYONE, ANYONE),
    # Signing in (django-allauth): a signed-in account is sent on to the overview.
    "account_login": (SIGNED_IN_REDIRECTED, SIGNED_IN_REDIRECTED),
    "account_logout": ((405,) * 6, (L,) * 6),
    "account_inactive": (ANYONE, (405,) * 6),
    "account_signup": (SIGNED_IN_REDIRECTED, SIGNED_IN_REDIRECTED),  # closed: invitations only
    "account_reauthenticate": (ACCOUNT_PAGE, ACCOUNT_PAGE),
    "account_change_password": (ACCOUNT_PAGE, ACCOUNT_PAGE),
    # Every persona has a password: to the page that changes it.
    "account_set_password": (ACCOUNT_REDIRECTS, ACCOUNT_REDIRECTS),
    "account_reset_password": (ANYONE, ANYONE),
    "account_reset_password_done": (ANYONE, (405,) * 6),
    # A valid link goes on to the page without the key; an empty post is refused there.
    "account_reset_password_from_key": ((302,) * 6, (302,) * 6),
    "account_reset_password_from_key_done": (ANYONE, (405,) * 6),
    # Two-factor: every account's own; no sign-in waits for a code here.
    "mfa_index": (ACCOUNT_PAGE, ACCOUNT_POST_ONLY),
    "mfa_authenticate": (ACCOUNT_REDIRECTS, ACCOUNT_REDIRECTS),
    # Asking for a second factor again: nobody but alice has one here, and hers is a key.
    "mfa_reauthenticate": (ACCOUNT_REDIRECTS, ACCOUNT_REDIRECTS),
    "mfa_activate_totp": (ACCOUNT_PAGE, ACCOUNT_PAGE),
    "mfa_deactivate_totp": (ACCOUNT_404, ACCOUNT_404),  # nobody has an app here
    "mfa_view_recovery_codes": (ACCOUNT_404, ACCOUNT_POST_ONLY),  # nobody has codes here
    # Codes come with a second factor: alice's are made, the others' refused.
    "mfa_generate_recovery_codes": (ACCOUNT_PAGE, (L, 200, 200, 302, 200, 200)),
    "mfa_download_recovery_codes": (ACCOUNT_404, ACCOUNT_404),  # shown once, never downloaded
    "mfa_list_webauthn": (ACCOUNT_PAGE, ACCOUNT_POST_ONLY),
    "mfa_add_webauthn": (ACCOUNT_PAGE, ACCOUNT_PAGE),
    # Only alice has a key to confirm with; a post without its answer goes to the log-in.
    "mfa_reauthenticate_webauthn": (
        (L, 302, 302, 200, 302, 302),
        (L, 302, 302, L, 302, 302),
    ),
    # alice's key: nobody else's.
    "mfa_remove_webauthn": (ALICES, (L, 404, 404, 302, 404, 404)),
    "mfa_edit_webauthn": (ALICES, ALICES),
    "usersessions_list": (ACCOUNT_PAGE, ACCOUNT_REDIRECTS),
    # An empty post is a form with its errors.
    "accounts:profile": (ACCOUNT_PAGE, ACCOUNT_PAGE),
    "accounts:profile_name": (ACCOUNT_POST_ONLY, ACCOUNT_REDIRECTS),  # both names may be empty
    "accounts:profile_email": (ACCOUNT_POST_ONLY, ACCOUNT_PAGE),
    "accounts:profile_notifications": (ACCOUNT_POST_ONLY, ACCOUNT_REDIRECTS),  # none wanted
    "accounts:profile_photo": (ACCOUNT_POST_ONLY, ACCOUNT_PAGE),
    "accounts:photo": ((L, 404, 404, 200, 404, 404), ACCOUNT_POST_ONLY),  # alice has one
    # Personal API tokens: an empty post is the form with its errors; the page showing a
    # new token has none to show here and goes back to the profile; alice's token is hers.
    "accounts:api_token_create": (ACCOUNT_POST_ONLY, ACCOUNT_PAGE),
    "accounts:api_token_new": (ACCOUNT_REDIRECTS, ACCOUNT_POST_ONLY),
    "accounts:api_token_revoke": (ACCOUNT_POST_ONLY, (L, 404, 404, 302, 404, 404)),
    # App passwords (CardDAV): the same, alice's is hers.
    "accounts:app_password_create": (ACCOUNT_POST_ONLY, ACCOUNT_PAGE),
    "accounts:app_password_new": (ACCOUNT_REDIRECTS, ACCOUNT_POST_ONLY),
    "accounts:app_password_revoke": (ACCOUNT_POST_ONLY, (L, 404, 404, 302, 404, 404)),
    # The address books offered to ones devices: an empty post offers none.
    "accounts:address_books": (ACCOUNT_POST_ONLY, ACCOUNT_REDIRECTS),
    # The address books: each persona calls its own addresses (the other users' answer
    # 404: tests/carddav) with an app password of its own; the second column is a
    # PROPFIND of depth 1, not a POST. The well-known address sends anyone to the root.
    "carddav_well_known": ((301,) * 6, (301,) * 6),
    "carddav:root": (DAV_READ, DAV_LISTED),
    "carddav:principal": (DAV_READ, DAV_LISTED),
    "carddav:home": (DAV_READ, DAV_LISTED),
    "carddav:book": (DAV_READ, DAV_LISTED),
    "carddav:card": (DAV_CARD, DAV_CARD_LISTED),
    "settings_app:sign_in": (ADMIN_ONLY, ADMIN_REDIRECTS),
    # The user guide: every account may read it, none may post to it.
    "guide": (ACCOUNT_PAGE, ACCOUNT_POST_ONLY),
    "guide_in": (ACCOUNT_PAGE, ACCOUNT_POST_ONLY),
    # The invitation's link: opened before its account exists, so public. Anyone signed
    # in is told to log out first; an empty post is the form with its errors.
    "invitations:accept": (ANYONE, ANYONE),
    # The login page offers the language switch: public by design.
    "set_language": ((302,) * 6, (302,) * 6),
}


def _image():
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(out, "PNG")
    return ContentFile(out.getvalue(), name="photo.png")


def _contact(by, level, name, email, responsible):
    data = ContactData(
        kind=Contact.Kind.COMPANY,
        fields={"company_name": name},
        access=level,
        responsible=responsible,
        infos=[{"kind": "email", "category": "work", "value": email, "is_primary": True}],
        photo=process_photo(_image()),
    )
    return contact_create(by=by, data=data)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Create the personas and one of each object the URLs name, once for the module."""
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(
            MEDIA_ROOT=media,
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects
        alice = users.create_user("alice", "alice@example.com", "pw", first_name="Alice")
        bob = users.create_user("bob", "bob@example.com", "pw", first_name="Bob")
        stranger = users.create_user("stranger", "stranger@example.com", "pw")
        stranger.groups.remove(Group.objects.get(name=CRM_USERS_GROUP))
        admin = users.create_user("admin", "admin@example.com", "pw")
        admin.groups.add(Group.objects.get(name=CRM_ADMINS_GROUP))
        root = users.create_superuser("root", "root@example.com", "pw")
        contacts, trashed = {}, {}
        for level in LEVELS:
            secret = SECRET if level == "private" else level.replace("_", "")
            # Created by admin with alice responsible: alice is notified (the bell).
            contacts[level] = _contact(
                admin, level, f"{secret.capitalize()} Company", f"{secret}@example.com", [alice]
            )
            trashed[level] = _contact(
                alice, level, f"Trash {secret} Ltd", f"t-{secret}@example.com", [alice]
            )
            contact_delete(by=alice, contact=trashed[level])
        for level in LEVELS:
            # A second version: something in the history.
            contact = contacts[level]
            data = ContactData(
                kind=contact.kind,
                fields={"company_name": contact.company_name, "description": "Edited"},
                access=level,
                responsible=[alice],
                infos=[
                    {"kind": i.kind, "category": i.category, "value": i.value, "is_primary": True}
                    for i in contact.infos.all()
                ],
            )
            contact_update(by=alice, contact=contact, data=data)
            contact.refresh_from_db()
        # Private contacts next to the public ones: a person working at each public
        # company, and a company sharing the public_rw one's e-mail (a likely
        # duplicate) of which bob was responsible and no longer is (his bell).
        for level in ("public_read", "public_rw"):
            worker = ContactData(
                kind=Contact.Kind.PERSON,
                fields={"first_name": SECRET.capitalize(), "last_name": "Worker"},
                responsible=[alice],
                company=contacts[level],
            )
            contact_create(by=alice, data=worker)
        # A public person at the private company: every page, export and search that
        # shows her to the reader must leave the company's name out.
        contact_create(
            by=alice,
            data=ContactData(
                kind=Contact.Kind.PERSON,
                fields={"first_name": "Open", "last_name": "Employee"},
                access="public_read",
                responsible=[alice],
                company=contacts["private"],
            ),
        )
        twin = _contact(
            admin, "private", f"{SECRET.capitalize()} Twin", "publicrw@example.com", [alice, bob]
        )
        contact_update(
            by=alice,
            contact=twin,
            data=ContactData(
                kind=twin.kind,
                fields={"company_name": twin.company_name},
                responsible=[alice],
                infos=[{"kind": "email", "category": "work", "value": "publicrw@example.com"}],
            ),
        )
        assert Notification.objects.filter(recipient=bob, contact=twin).exists()
        notification = Notification.objects.filter(recipient=alice).first()
        job = import_services.job_create(
            by=alice,
            upload=ContentFile(
                f"Company,Email\nImported Ltd,i@example.com\n,{SECRET}@example.net\n".encode(),
                name="import.csv",
            ),
        )
        import_services.job_start(job=job)
        job.refresh_from_db()
        bulk_job = bulk.bulk_start(
            by=alice,
            action=BulkJob.Action.ADD_TAG,
            params={"tag": "vip", "query": ""},
            contacts=Contact.objects.filter(pk=contacts["private"].pk),
        )
        bulk_deleted = _contact(alice, "private", "Bulk trashed Ltd", "bulk@example.com", [alice])
        bulk_delete_job = bulk.bulk_start(
            by=alice,
            action=BulkJob.Action.DELETE,
            params={"query": ""},
            contacts=Contact.objects.filter(pk=bulk_deleted.pk),
        )
        note = EventCategory.objects.get(code="note")
        events = {
            level: activities.event_create(
                by=alice,
                contact=contacts[level],
                category=note,
                text=f"Matrix {level} event",
                attachments=[SimpleUploadedFile(f"{level}.txt", b"Minutes", "text/plain")],
            )
            for level in LEVELS
        }
        event_category = EventCategory.objects.create(name="Matrix category", position=9)
        relation_type = RelationType.objects.create(
            label_en="Matrix relation", inverse_en="Matrix inverse", position=9
        )
        partner = _contact(alice, "public_read", "Partner Ltd", "partner@example.com", [alice])
        partners = RelationType.objects.get(label_en="partner of")
        relations = {
            level: relation_add(by=alice, contact=contacts[level], other=partner, type=partners)
            for level in LEVELS
        }
        call = TaskCategory.objects.get(code="call")
        task_category = TaskCategory.objects.create(name="Matrix task category", position=9)
        # A person at each level, with a position at the public_rw company.
        persons = {
            level: contact_create(
                by=alice,
                data=ContactData(
                    kind=Contact.Kind.PERSON,
                    fields={"first_name": "Matrix", "last_name": f"Holder {level}"},
                    access=level,
                    responsible=[alice],
                    company=contacts["public_rw"],
                ),
            )
            for level in LEVELS
        }
        positions = {level: person.positions.get() for level, person in persons.items()}
        crm_tasks = {
            level: task_services.task_create(
                by=alice,
                contact=contacts[level],
                category=call,
                title=f"Matrix {level} task",
                due_date=date(2026, 12, 24),
            )
            for level in LEVELS
        }
        contact_type = config.contact_type_create(title="Matrix type")
        field = custom_fields.custom_field_create(label="Size", field_type="text")
        tag = tags.tag_named("vip") or tags.tag_create(name="vip")
        web_form = make_web_form(responsible=[alice], notify=[alice])
        # No events: the world's writes send nothing.
        webhook = webhook_services.subscription_save(
            owner=admin, url="https://hooks.example.com/crm", events=[]
        )
        delivery = Delivery.objects.create(subscription=webhook, event=TEST_EVENT)
        # A person's copy, built as the worker builds it.
        privacy_export = privacy_exports.export_start(
            by=admin, lookup="email", value="carol@example.com"
        )
        privacy_exports.export_build.call(export_id=privacy_export.pk)
        # The Users pages: carol, a CRM user responsible for a contact, and nina, invited.
        carol = users.create_user("carol", "carol@example.com", "pw", first_name="Carol")
        _contact(admin, "private", "Carol Ltd", "carol@example.com", [carol])
        [invitation] = invitations.invitations_send(
            by=admin, emails=["nina@example.com"], role="user", language="fr"
        )
        accounts_services.profile_photo_set(user=alice, upload=_image())
        accounts_services.profile_photo_set(user=carol, upload=_image())
        security_key = make_security_key(alice, "Matrix key")
        api_token, _secret = api_tokens.token_create(user=alice, name="Matrix token", scope="read")
        app_password, _secret = app_password_create(user=alice, name="Matrix phone")
        dav_auth = {"anon": {}}
        for persona, user in (
            ("stranger", stranger),
            ("reader", bob),
            ("alice", alice),
            ("admin", admin),
            ("root", root),
        ):
            secret = f"{user.username}:{app_password_create(user=user, name='Phone')[1]}"
            dav_auth[persona] = {
                "HTTP_AUTHORIZATION": f"Basic {base64.b64encode(secret.encode()).decode()}"
            }
        world = {
            "media": media,
            "users": {
                "stranger": stranger,
                "reader": bob,
                "alice": alice,
                "admin": admin,
                "root": root,
            },
            "contacts": contacts,
            "trashed": trashed,
            "events": events,
            "tasks": crm_tasks,
            "persons": persons,
            "positions": positions,
            "task_category": task_category,
            "event_category": event_category,
            "relation_type": relation_type,
            "relations": relations,
            "partner": partner,
            "notification": notification,
            "import": job,
            "bulk_job": bulk_job,
            "bulk_delete_job": bulk_delete_job,
            "type": contact_type,
            "field": field,
            "tag": tag,
            "web_form": web_form,
            "webhook": webhook,
            "delivery": delivery,
            "privacy_export": privacy_export,
            "carol": carol,
            "invitation": invitation,
            "security_key": security_key,
            "api_token": api_token,
            "app_password": app_password,
            "dav_auth": dav_auth,
            "suppression": suppression.suppress(
                emails=["erased@example.com"], by=admin, reason="erased"
            )[0],
        }
        yield world
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _isolated(settings, world):
    # Replaces the conftest's: the photos live in the module's MEDIA_ROOT.
    settings.MEDIA_ROOT = world["media"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    settings.DEBUG = False
    # The photo dialog's suggestions would be fetched from Gravatar: access is checked here.
    settings.PHOTO_FETCH_ENABLED = False


def url_patterns(patterns=None, namespace="", prefix=""):
    """Yield (name, route) of every pattern, those SKIPPED left out."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if f"{ns}*" in SKIPPED:
                continue
            yield from url_patterns(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else None, prefix + str(p.pattern)


CONTACT_URLS = {
    "api:contact_get",
    "api:event_list",
    "api:event_new",
    "api:event_change",
    "api:event_remove",
    "api:task_get",
    "api:task_change",
    "api:task_remove",
    "api:contact_change",
    "api:contact_replace",
    "api:contact_trash",
    "api:contact_merge_choices",
    "contacts:detail",
    "contacts:edit",
    "contacts:delete",
    "contacts:history",
    "contacts:link_person",
    "contacts:relation_add",
    "contacts:relation_remove",
    "contacts:photo",
    "contacts:photo_change",
    "contacts:photo_candidates",
    "contacts:position_add",
    "contacts:position_end",
    "contacts:position_remove",
    "contacts:position_primary",
    "contacts:vcard",
    "contacts:merge",
    "contacts:trash_restore",
    "api:trash_restore",
    "contacts:trash_purge",
    "carddav:card",
    "activities:timeline",
    "activities:event_add",
    "activities:event_edit",
    "activities:event_delete",
    "activities:attachment",
    "tasks:edit",
    "tasks:done",
    "tasks:delete",
}


def url_args(name, world, level):
    """Return the kwargs and the query string the URL is called with."""
    contact = world["contacts"].get(level)
    alice = world["users"]["alice"]
    by_name = {
        "contacts:create": {"kind": "person"},
        "contacts:detail": {"pk": contact and contact.pk},
        **{
            f"api:contact_{verb}": {"contact_id": contact and contact.pk}
            for verb in ("get", "change", "replace", "trash")
        },
        "api_not_found": {"rest": "v1/nothing"},
        "api:contact_merge_choices": {
            "keep_id": contact and contact.pk,
            "other_id": world["partner"].pk,
        },
        "api:bulk_get": {"job_id": world["bulk_job"].pk},
        "contacts:edit": {"pk": contact and contact.pk},
        "contacts:delete": {"pk": contact and contact.pk},
        "contacts:history": {"pk": contact and contact.pk},
        "contacts:link_person": {"pk": contact and contact.pk},
        "contacts:relation_add": {"pk": contact and contact.pk},
        "contacts:relation_remove": {
            "pk": contact and contact.pk,
            "relation_pk": level and world["relations"][level].pk,
        },
        "contacts:photo": {"pk": contact and contact.pk, "size": "thumb"},
        "contacts:photo_change": {"pk": contact and contact.pk},
        "contacts:photo_candidates": {"pk": contact and contact.pk},
        "contacts:vcard": {"pk": contact and contact.pk},
        "contacts:position_add": {"pk": level and world["persons"][level].pk},
        **{
            f"contacts:position_{action}": {
                "pk": level and world["persons"][level].pk,
                "position_pk": level and world["positions"][level].pk,
            }
            for action in ("end", "remove", "primary")
        },
        "contacts:trash_restore": {"pk": level and world["trashed"][level].pk},
        "api:trash_restore": {"contact_id": level and world["trashed"][level].pk},
        "api:import_get": {"import_id": world["import"].pk},
        "contacts:trash_purge": {"pk": level and world["trashed"][level].pk},
        "contacts:suggest": {"what": "companies"},
        "activities:timeline": {"pk": contact and contact.pk},
        "activities:event_add": {"pk": contact and contact.pk},
        "activities:event_edit": {"pk": level and world["events"][level].pk},
        **{f"api:event_{verb}": {"contact_id": contact and contact.pk} for verb in ("list", "new")},
        **{
            f"api:event_{verb}": {"event_id": level and world["events"][level].pk}
            for verb in ("change", "remove")
        },
        "activities:event_delete": {"pk": level and world["events"][level].pk},
        "activities:attachment": {"pk": level and world["events"][level].attachments.get().pk},
        "tasks:edit": {"pk": level and world["tasks"][level].pk},
        **{
            f"api:task_{verb}": {"task_id": level and world["tasks"][level].pk}
            for verb in ("get", "change", "remove")
        },
        "tasks:done": {"pk": level and world["tasks"][level].pk},
        "tasks:delete": {"pk": level and world["tasks"][level].pk},
        "contacts:notification_read": {"pk": world["notification"].pk},
        "contacts:bulk_job": {"pk": world["bulk_job"].pk},
        "contacts:bulk_skipped": {"pk": world["bulk_job"].pk},
        "contacts:bulk_undo": {"pk": world["bulk_delete_job"].pk},
        "settings_app:event_category_edit": {"pk": world["event_category"].pk},
        "settings_app:event_category_move": {"pk": world["event_category"].pk},
        "settings_app:event_category_delete": {"pk": world["event_category"].pk},
        "settings_app:relation_type_edit": {"pk": world["relation_type"].pk},
        "settings_app:relation_type_move": {"pk": world["relation_type"].pk},
        "settings_app:relation_type_delete": {"pk": world["relation_type"].pk},
        "settings_app:task_category_edit": {"pk": world["task_category"].pk},
        "settings_app:task_category_move": {"pk": world["task_category"].pk},
        "settings_app:task_category_delete": {"pk": world["task_category"].pk},
        "settings_app:type_edit": {"pk": world["type"].pk},
        "settings_app:type_move": {"pk": world["type"].pk},
        "settings_app:type_delete": {"pk": world["type"].pk},
        "settings_app:field_edit": {"pk": world["field"].pk},
        "settings_app:field_move": {"pk": world["field"].pk},
        "settings_app:field_delete": {"pk": world["field"].pk},
        "invitations:accept": {"token": invitations.invitation_token(world["invitation"])},
        "settings_app:tag_rename": {"pk": world["tag"].pk},
        "settings_app:tag_merge": {"pk": world["tag"].pk},
        "settings_app:tag_delete": {"pk": world["tag"].pk},
        "settings_app:webform_create": {"kind": "person"},
        "settings_app:suppression_lift": {"pk": world["suppression"].pk},
        "guide_in": {"language": "fr"},
        "account_reset_password_from_key": {
            "uidb36": user_pk_to_url_str(alice),
            "key": default_token_generator.make_token(alice),
        },
        "mfa_remove_webauthn": {"pk": world["security_key"].pk},
        "mfa_edit_webauthn": {"pk": world["security_key"].pk},
        "accounts:api_token_revoke": {"pk": world["api_token"].pk},
        "accounts:app_password_revoke": {"pk": world["app_password"].pk},
        "carddav:book": {"book": "all"},
        "carddav:card": {"book": "all", "card": f"{contact and contact.pk}.vcf"},
    }
    if name.startswith("contacts:import_") and name not in (
        "contacts:import_list",
        "contacts:import_new",
    ):
        kwargs = {"pk": world["import"].pk}
    elif name.startswith("settings_app:webform") and name != "settings_app:webforms":
        kwargs = by_name.get(name, {"pk": world["web_form"].pk})
    elif name.startswith("settings_app:invitation_"):
        kwargs = {"pk": world["invitation"].user_id}
    elif name.startswith("settings_app:user") and name not in (
        "settings_app:users",
        "settings_app:user_invite",
    ):
        kwargs = {"pk": world["carol"].pk}
    elif name == "webhooks:redeliver":
        kwargs = {"pk": world["webhook"].pk, "delivery_pk": world["delivery"].pk}
    elif name.startswith("webhooks:") and name not in ("webhooks:list", "webhooks:create"):
        kwargs = {"pk": world["webhook"].pk}
    elif name.startswith("webforms:"):
        kwargs = {"public_id": world["web_form"].public_id}
    elif name == "privacy:export_download":
        kwargs = {"pk": world["privacy_export"].pk}
    elif name == "privacy:erase_contact":
        kwargs = {"pk": world["contacts"]["private"].pk}
    else:
        kwargs = by_name.get(name, {})
    private, public = world["contacts"]["private"].pk, world["contacts"]["public_read"].pk
    query = {
        "contacts:list": f"q={SECRET[2:]}",  # not the whole secret: the page repeats q
        "contacts:create": f"company={private}",
        "contacts:export_csv": f"ids={private},{public}",
        "contacts:suggest": "q=priv",
        "contacts:merge": f"keep={contact.pk}&q={SECRET[2:]}" if contact else "",
    }.get(name, "")
    return kwargs, query


def snapshot():
    """Return what a refused POST must leave as it was."""
    from django.contrib.auth import get_user_model

    return (
        list(
            Contact.all_objects.order_by("pk").values_list(
                "pk", "version", "updated_at", "deleted_at", "company_id"
            )
        ),
        ContactEvent.objects.count(),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(ImportJob.objects.order_by("pk").values_list("pk", "status")),
        BulkJob.objects.count(),
        list(WebForm.objects.order_by("pk").values_list("pk", "is_active", "secret_key")),
        list(get_user_model().objects.order_by("pk").values_list("pk", "password", "is_active")),
        sorted(Group.objects.get(name=CRM_ADMINS_GROUP).user_set.values_list("pk", flat=True)),
        list(tags.tags_by_name().values_list("pk", "name")),
        list(ContactType.objects.values_list("pk", "title", "position")),
        list(CustomField.objects.values_list("pk", "label", "position")),
        list(
            CrmSettings.objects.values_list("default_currency", "currencies", "review_after_months")
        ),
        list(Suppression.objects.order_by("pk").values_list("pk", "digest")),
        list(Contact.all_objects.order_by("pk").values_list("pk", "reviewed_at")),
        list(Invitation.objects.values_list("pk", "link_version", "accepted_at", "revoked_at")),
        AuditEntry.objects.count(),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        list(Event.objects.order_by("pk").values_list("pk", "text", "category", "updated_at")),
        list(EventCategory.objects.order_by("pk").values_list("pk", "name", "icon", "position")),
        list(Relation.objects.order_by("pk").values_list("pk", "from_contact", "to_contact")),
        list(RelationType.objects.order_by("pk").values_list("pk", "label_en", "position")),
        list(Subscription.objects.order_by("pk").values_list("pk", "url", "events", "active")),
        list(Delivery.objects.order_by("pk").values_list("pk", "status", "next_attempt_at")),
    )


def client_for(world, persona):
    client = Client()
    if persona != "anon":
        # Past the pages that ask for the password again: what they guard is checked too.
        log_in_recently(client, world["users"][persona])
    return client


def is_dav(name):
    """Whether the URL is an address book's: Basic with an app password, GET and PROPFIND."""
    return name.startswith("carddav")


def call(client, method, url, dav_auth=None):
    """Return the answer's status, "login" for a redirect to the login page.

    With dav_auth (the persona's Basic header, empty for anon), a client without a
    session calls the address: "POST" is then a PROPFIND of depth 1.
    """
    try:
        if dav_auth is not None:
            dav_method = "GET" if method == "GET" else "PROPFIND"
            response = Client().generic(dav_method, url, HTTP_DEPTH="1", **dav_auth)
        elif method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, {})
    except Exception as exc:  # noqa: BLE001 - a 500 is a cell like any other
        return f"500 {type(exc).__name__}: {exc}"[:120], None
    status = response.status_code
    if status == 302 and response["Location"].startswith("/accounts/login/"):
        return "login", response
    return status, response


def body_of(response):
    if response is None:
        return ""
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def cells(name, world):
    """Yield (persona, level, method, url) of a URL; level is None when no contact is named."""
    from django.urls import reverse

    levels = LEVELS if name in CONTACT_URLS else (None,)
    for level in levels:
        kwargs, query = url_args(name, world, level)
        for persona in PERSONAS:
            if is_dav(name) and name != "carddav:root" and name != "carddav_well_known":
                # Each its own address book; anon knocks at alice's.
                kwargs["username"] = world["users"].get(persona, world["users"]["alice"]).username
            url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
            for method in ("GET", "POST"):
                yield persona, level, method, url


def expected(name, method, persona, level):
    value = dict(zip(PERSONAS, EXPECT[name][method == "POST"], strict=True))[persona]
    return value[LEVELS.index(level)] if isinstance(value, tuple) else value


def may_write(name, persona, level):
    """Return whether persona may change something through the URL: a 302 may be a write."""
    if name == "contacts:notifications_read_all":  # each user's own notifications
        return persona != "anon"
    return persona in ("alice", "admin", "root") or (persona, level) == ("reader", "public_rw")


# Pages that must name the private contact to alice: the leak checks can fail.
NAMES_THE_SECRET = {
    "api:contact_list",
    "api:contact_new",
    "contacts:list",
    "contacts:suggest",
    "contacts:export_csv",
    "contacts:export_vcard",
    "contacts:trash",
    "contacts:notifications",
    "contacts:import_rejected",
    "contacts:duplicates",
    "contacts:create",
}


# It reads no rows itself, but the module's fixtures build the world: marked, it runs
# among the database tests, before a transactional test (the API's schema) flushes the
# rows the migrations wrote.
@pytest.mark.django_db
def test_every_url_has_an_expectation():
    names = {name for name, _route in url_patterns()}
    assert None not in names, "an unnamed URL cannot be checked"
    assert names == set(EXPECT)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECT))
def test_url_answers_each_persona_as_expected_and_leaks_nothing(name, world):
    clients = {persona: client_for(world, persona) for persona in PERSONAS}
    wrong, leaks, writes = [], [], []
    for persona, level, method, url in cells(name, world):
        want = expected(name, method, persona, level)
        with transaction.atomic():
            before = snapshot() if method == "POST" else None
            dav_auth = world["dav_auth"][persona] if is_dav(name) else None
            status, response = call(clients[persona], method, url, dav_auth)
            body = body_of(response) if status in (200, 207, 403) else ""
            # A page writes and redirects; the API writes and answers 2xx.
            done = status == 302 or (name.startswith("api:") and status in (200, 201))
            if method == "POST" and not (done and may_write(name, persona, level)):
                if snapshot() != before:
                    writes.append((persona, level, status))
            transaction.set_rollback(True)
        # The cell's sessions and pages go with its rows (Redis does not roll back).
        cache.clear()
        shown = "PROPFIND" if dav_auth is not None and method == "POST" else method
        cell = f"{shown} {url} as {persona}" + (f" on {level}" if level else "")
        if status != want:
            wrong.append(f"{cell}: {status}, expected {want}")
        elif (
            dav_auth is not None
            and status == 401
            and not response.get("WWW-Authenticate", "").startswith("Basic realm=")
        ):
            wrong.append(f"{cell}: a 401 that does not ask for Basic credentials")
        elif persona == "stranger" and status == 403 and "not a CRM user" not in body:
            wrong.append(f"{cell}: a 403 that does not say why")
        if persona in ("anon", "stranger", "reader") and SECRET in body.lower():
            leaks.append(cell)
        if "/media/" in body:
            leaks.append(f"{cell}: a media URL")
        if persona == "alice" and method == "GET" and name in NAMES_THE_SECRET:
            assert SECRET in body.lower(), f"{cell} should name the private contact"
        if persona == "alice" and shown == "PROPFIND" and name == "carddav:book":
            assert SECRET in body.lower(), f"{cell} should list the private contact"
    assert not wrong, "\n".join(wrong)
    assert not leaks, leaks
    assert not writes, writes


# A card's writes over Basic with the persona's app password, each at its own book: PUT
# and DELETE as the contact's edit and delete pages allow (204 where they would save); a
# new card (a name of the phone's) creates a contact for every CRM user.
DAV_CARD_WRITE = (401, N, (404, 403, 204), 204, 204, 204)
DAV_CARD_NEW = (401, N, 201, 201, 201, 201)
RENAMED = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Renamed\r\nN:;;;;\r\nORG:Renamed\r\n"
RENAMED += "X-ADDRESSBOOKSERVER-KIND:org\r\nEND:VCARD\r\n"


@pytest.mark.django_db
def test_a_cards_put_and_delete_answer_each_persona_as_its_pages_do(world):
    wrong, leaks, writes = [], [], []
    for level in LEVELS:
        contact = world["contacts"][level]
        for persona in PERSONAS:
            username = world["users"].get(persona, world["users"]["alice"]).username
            book = f"/dav/addressbooks/{username}/all/"
            for method, name, want in (
                ("PUT", f"{contact.pk}.vcf", DAV_CARD_WRITE),
                ("DELETE", f"{contact.pk}.vcf", DAV_CARD_WRITE),
                ("PUT", "new-card.vcf", DAV_CARD_NEW),
            ):
                want = dict(zip(PERSONAS, want, strict=True))[persona]
                want = want[LEVELS.index(level)] if isinstance(want, tuple) else want
                with transaction.atomic():
                    before = snapshot()
                    response = Client().generic(
                        method,
                        book + name,
                        RENAMED if method == "PUT" else "",
                        content_type="text/vcard",
                        **world["dav_auth"][persona],
                    )
                    changed = snapshot() != before
                    transaction.set_rollback(True)
                cache.clear()
                cell = f"{method} {book}{name} as {persona} on {level}"
                if response.status_code != want:
                    wrong.append(f"{cell}: {response.status_code}, expected {want}")
                if changed != (want in (201, 204)):
                    writes.append(f"{cell}: changed {changed}")
                if (
                    persona in ("anon", "stranger", "reader")
                    and SECRET in body_of(response).lower()
                ):
                    leaks.append(cell)
    assert not wrong, "\n".join(wrong)
    assert not leaks, leaks
    assert not writes, writes


@pytest.mark.django_db
def test_every_signed_in_persona_sees_and_changes_its_own_profile_only(world):
    from accounts.models import Profile

    zones = ["Asia/Tokyo", "America/Lima", "Africa/Dakar", "Pacific/Fiji", "Europe/Oslo"]
    with transaction.atomic():
        for user, time_zone in zip(world["users"].values(), zones, strict=True):
            Profile.objects.update_or_create(
                user=user, defaults={"language": "en", "time_zone": time_zone}
            )
        for (persona, user), time_zone in zip(world["users"].items(), zones, strict=True):
            client = client_for(world, persona)
            page = body_of(client.get("/account/profile/"))
            assert f'<option value="{time_zone}" selected>' in page, persona
            assert page.count(" selected>") == 2, persona  # its language and its zone
            client.post("/account/profile/", {"language": "fr", "time_zone": "UTC"})
            changed = Profile.objects.filter(time_zone="UTC")
            assert list(changed.values_list("user", flat=True)) == [user.pk], persona
            changed.update(time_zone=time_zone)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_signed_in_persona_makes_sees_and_revokes_its_own_api_tokens_only(world):
    with transaction.atomic():
        clients = {persona: client_for(world, persona) for persona in world["users"]}
        for persona, client in clients.items():
            name = f"Token of {persona}"
            client.post("/account/profile/tokens/", {"name": name, "scope": "read"})
            assert name in body_of(client.get("/account/profile/tokens/new/")), persona
        for persona, client in clients.items():
            page = body_of(client.get("/account/profile/"))
            shown = {
                name for name in ApiToken.objects.values_list("name", flat=True) if name in page
            }
            own = set(world["users"][persona].api_tokens.values_list("name", flat=True))
            assert shown == own, persona
            others = ApiToken.objects.exclude(user=world["users"][persona])
            for token in others:
                url = f"/account/profile/tokens/{token.pk}/revoke/"
                assert client.post(url).status_code == 404, (persona, token.name)
            assert not others.filter(revoked_at__isnull=False).exists(), persona
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_private_photo_is_served_only_through_the_access_checked_view(world):
    contact = world["contacts"]["private"]
    for field in (contact.photo, contact.photo_thumb):
        assert field and (world["media"] / field.name).is_file()
        media_url = f"/{field.url.lstrip('/')}"
        for persona in PERSONAS:
            response = client_for(world, persona).get(media_url)
            assert response.status_code == 404, (persona, media_url)
    view = f"/contacts/{contact.pk}/photo/photo/"
    alice = client_for(world, "alice").get(view)
    assert alice.status_code == 200
    assert alice["Cache-Control"] == "private, max-age=86400"
    assert b"".join(alice.streaming_content) == (world["media"] / contact.photo.name).read_bytes()
    assert client_for(world, "reader").get(view).status_code == 404


@pytest.mark.django_db
def test_account_outside_the_crm_cannot_create_a_contact(world):
    client = client_for(world, "stranger")
    before = Contact.all_objects.count()
    response = client.post(
        "/contacts/new/person/",
        {"first_name": "Sneaky", "last_name": "Outsider", "access": "public_read"},
    )
    assert response.status_code == 403
    assert "Your account has no access to the CRM" in response.content.decode()
    assert Contact.all_objects.count() == before
    assert client.get("/accounts/password/change/").status_code == 200
