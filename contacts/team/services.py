"""The CRM's users, as its admins manage them: roles, states, contacts handed over.

A role is a group: "CRM admins" (or a superuser) or "CRM users"; an account in neither
has no access to the CRM. A state is read from the account: active, invited (inactive,
with an invitation not yet accepted: contacts.team.invitations) or deactivated. Every
change is recorded in the audit (accounts.audit), in the transaction of the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import audit
from accounts.models import Invitation
from accounts.selectors import two_factor_exists
from accounts.services import (
    password_reset_send,
    profile_for,
    two_factor_enabled,
    two_factor_reset,
)
from accounts.sessions import sessions_end
from contacts import crm_admins
from contacts.access import active_crm_users, make_crm_user, shared_with_crm_users
from contacts.bulk.services import bulk_start
from contacts.db import counts
from contacts.models import CRM_ADMINS_GROUP, CRM_USERS_GROUP, BulkJob, Contact

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

Action = audit.Action


class Role(models.TextChoices):
    ADMIN = "admin", gettext_lazy("CRM admin")
    USER = "user", gettext_lazy("CRM user")
    NONE = "none", gettext_lazy("No CRM access")


class Status(models.TextChoices):
    INVITED = "invited", gettext_lazy("Invited")
    ACTIVE = "active", gettext_lazy("Active")
    DEACTIVATED = "deactivated", gettext_lazy("Deactivated")


def _member_of(name: str) -> Exists:
    return Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name=name))


def _invitation_pending() -> Exists:
    return Exists(
        Invitation.objects.filter(
            user=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True
        )
    )


class RoleAndStatus(TypedDict):
    crm_role: str
    crm_status: str
    two_factor: bool
    photo: str


if TYPE_CHECKING:
    UserRow = WithAnnotations[User, RoleAndStatus]


def users_with_role_and_status(users: QuerySet[User] | None = None) -> QuerySet[UserRow]:
    """Annotate on each user crm_role (a Role), crm_status (a Status), two_factor (whether
    he signs in with a second factor) and photo (his photo's name, "" or None without),
    in the query."""
    users = get_user_model().objects.all() if users is None else users
    return users.annotate(
        crm_role=Case(
            When(Q(is_superuser=True) | Q(_member_of(CRM_ADMINS_GROUP)), then=Value(Role.ADMIN)),
            When(_member_of(CRM_USERS_GROUP), then=Value(Role.USER)),
            default=Value(Role.NONE),
            output_field=CharField(),
        ),
        crm_status=Case(
            When(is_active=True, then=Value(Status.ACTIVE)),
            When(_invitation_pending(), then=Value(Status.INVITED)),
            default=Value(Status.DEACTIVATED),
            output_field=CharField(),
        ),
        two_factor=two_factor_exists(),
        photo=F("profile__photo"),
    )


def users_listed(
    *, query: str = "", role: str = "", status: str = "", two_factor: bool | None = None
) -> QuerySet[UserRow]:
    """Return the users whose name, username or email holds every word of query, of the
    role and in the status given (any when empty), with a second factor or without (either
    when None), by name; annotated as above."""
    users = users_with_role_and_status()
    for word in query.split():
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    if role:
        users = users.filter(crm_role=role)
    if status:
        users = users.filter(crm_status=status)
    if two_factor is not None:
        users = users.filter(two_factor=two_factor)
    return users.order_by("first_name", "last_name", "username", "pk")


def user_with_role_and_status(pk: int) -> UserRow | None:
    return users_with_role_and_status().filter(pk=pk).first()


def role_of(user: User) -> Role:
    """Return user's role, active or not."""
    if user.is_superuser:
        return Role.ADMIN
    names = set(user.groups.values_list("name", flat=True))
    if CRM_ADMINS_GROUP in names:
        return Role.ADMIN
    return Role.USER if CRM_USERS_GROUP in names else Role.NONE


def invitation_pending_of(user: User) -> Invitation | None:
    return Invitation.objects.filter(
        user=user, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()


# Contacts a user is responsible for


def responsible_counts(user_ids: list[int]) -> dict[int, int]:
    """Return {user id: live contacts he is responsible for}, in one query.

    Read from the counts the database keeps (contacts.db.counts): counting them would
    read every row of each user, tens of thousands each in a large base.
    """
    return counts.responsible_totals(user_ids)


@dataclass(frozen=True)
class Responsibility:
    """How many live contacts a user is responsible for, and how many of them are
    private with no other active responsible user: only CRM admins would see those."""

    contacts: int
    alone: int


def responsibility_of(user: User) -> Responsibility:
    """Return how many live contacts user is responsible for, and how many only he shows.

    Read from the responsible users' rows and indexes alone: whether a contact is public
    from the group permission rows, whether it is in the trash from the trash's index,
    rather than reading the row of each of his contacts.
    """
    through = Contact.responsible.through.objects
    others = through.filter(contact_id=OuterRef("contact_id"), user__is_active=True)
    trashed = Contact.all_objects.filter(deleted_at__isnull=False).values("pk")
    alone = (
        through.filter(user=user)
        .exclude(contact_id__in=trashed)
        .exclude(shared_with_crm_users(OuterRef("contact_id")))
        .exclude(Exists(others.exclude(user=user)))
    )
    return Responsibility(contacts=responsible_counts([user.pk])[user.pk], alone=alone.count())


# Creating users, and their roles


def user_create(
    *,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    language: str | None = None,
    is_active: bool = True,
) -> User:
    """Create an account with that role; without a password, one that cannot sign in."""
    user = get_user_model()(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_active=is_active,
    )
    user.set_password(password)  # None: an unusable password
    user.save()  # a new account joins "CRM users" (contacts.signals)
    _set_groups(user, Role(role))
    if language:
        profile_for(user, language=language)
    return user


def _set_groups(user: User, role: Role) -> None:
    admins = Group.objects.get_or_create(name=CRM_ADMINS_GROUP)[0]
    if role is Role.NONE:
        user.groups.remove(admins, Group.objects.get_or_create(name=CRM_USERS_GROUP)[0])
        return
    make_crm_user(user)
    if role is Role.ADMIN:
        user.groups.add(admins)


def _refuse_superuser(user: User) -> None:
    if user.is_superuser:
        raise ValidationError(
            _(
                "%(name)s is a superuser, always a CRM admin: the account is managed in "
                "Django's administration site."
            )
            % {"name": audit.name_of(user)}
        )


@transaction.atomic
def user_set_role(*, by: User, user: User, role: str) -> bool:
    """Give user the role (a CRM admin or a CRM user); return whether it changed.

    An active or invited user only. The last active CRM admin keeps his role: nobody
    could open Settings after him.
    """
    new = Role(role)
    if new is Role.NONE:
        raise ValidationError(_("Deactivate the user instead."))
    _refuse_superuser(user)
    if not user.is_active and invitation_pending_of(user) is None:
        raise ValidationError(
            _("%(name)s is deactivated: reactivate the account first.")
            % {"name": audit.name_of(user)}
        )
    old = role_of(user)
    if old is new:
        return False
    # Through the CRM admins' own service: its lock and its last-admin rule.
    crm_admins.crm_admin_set(by=by, user=user, is_admin=new is Role.ADMIN)
    make_crm_user(user)
    user.__dict__.pop("_crm_roles", None)
    audit.record(
        by=by, action=Action.ROLE_CHANGED, target=user, details={"old": old.value, "new": new.value}
    )
    return True


# Deactivating, reactivating, handing over


@transaction.atomic
def user_deactivate(*, by: User, user: User) -> Responsibility:
    """Sign user out everywhere and refuse him from now on; return what he was responsible for.

    Neither oneself, nor a superuser, nor the last active CRM admin.
    """
    group = crm_admins.crm_admins_lock()
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    _refuse_superuser(user)
    if not user.is_active:
        raise ValidationError(_("%(name)s is not active.") % {"name": audit.name_of(user)})
    user.is_active = False
    user.save(update_fields=["is_active"])
    crm_admins.crm_admin_remains(group=group, user=user)
    responsibility = responsibility_of(user)
    sessions_end(user)
    audit.record(
        by=by,
        action=Action.USER_DEACTIVATED,
        target=user,
        details={"contacts": responsibility.contacts, "alone": responsibility.alone},
    )
    return responsibility


@transaction.atomic
def user_reactivate(*, by: User, user: User) -> None:
    """Let a deactivated user sign in again (an invited one accepts his invitation instead)."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError(_("%(name)s is active already.") % {"name": audit.name_of(user)})
    if invitation_pending_of(user) is not None:
        raise ValidationError(
            _("%(name)s has not accepted the invitation yet: send it again instead.")
            % {"name": audit.name_of(user)}
        )
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(by=by, action=Action.USER_REACTIVATED, target=user)


# Signing in: a second factor lost, a password forgotten


@transaction.atomic
def user_two_factor_reset(*, by: User, user: User) -> int:
    """Take away user's second factors and recovery codes; return how many there were.

    For a user who lost his phone and his codes: he signs in with his password alone,
    then sets two-factor up again. Not a superuser's: the CRM's admins rank below him.
    """
    _refuse_superuser(user)
    if not two_factor_enabled(user):
        raise ValidationError(
            _("%(name)s does not sign in with two-factor.") % {"name": audit.name_of(user)}
        )
    deleted = two_factor_reset(by=by, user=user)
    audit.record(by=by, action=Action.MFA_RESET, target=user, details={"factors": deleted})
    return deleted


def user_password_reset_send(*, by: User, user: User, request: HttpRequest) -> None:
    """E-mail user a link to choose a new password, in his language; record who asked.

    An active user with an e-mail address only: an invited one chooses his password
    when he accepts, a deactivated one may not sign in.
    """
    name = audit.name_of(user)
    if not user.is_active:
        if invitation_pending_of(user) is not None:
            raise ValidationError(
                _("%(name)s has not accepted the invitation yet: send it again instead.")
                % {"name": name}
            )
        raise ValidationError(
            _("%(name)s is deactivated: reactivate the account first.") % {"name": name}
        )
    if not user.email:
        raise ValidationError(
            _("%(name)s has no e-mail address: no link can be sent.") % {"name": name}
        )
    with transaction.atomic():
        password_reset_send(user=user, request=request)
        audit.record(
            by=by, action=Action.PASSWORD_RESET_SENT, target=user, details={"email": user.email}
        )


def hand_over_candidates(user: User) -> QuerySet[User]:
    """Return who may take user's contacts: the other active CRM users, by name."""
    return active_crm_users().exclude(pk=user.pk).order_by("first_name", "last_name", "username")


def contacts_hand_over(*, by: User, giver: User, taker: User) -> BulkJob | None:
    """Make taker responsible for every live contact giver is responsible for, instead of him.

    A bulk job (contacts.bulk): right away up to BULK_SYNC_LIMIT contacts, in the
    background beyond, each contact's history saying so. None when giver has none.
    """
    if not hand_over_candidates(giver).filter(pk=taker.pk).exists():
        raise ValidationError(_("Choose another active user of the CRM."))
    contacts = Contact.objects.filter(responsible=giver)
    if not contacts.exists():
        return None
    params = {
        "from": giver.pk,
        "to": taker.pk,
        "from_name": audit.name_of(giver),
        "to_name": audit.name_of(taker),
    }
    job = bulk_start(by=by, action=BulkJob.Action.HAND_OVER, params=params, contacts=contacts)
    audit.record(
        by=by,
        action=Action.CONTACTS_HANDED_OVER,
        target=giver,
        details={"to": taker.pk, "to_name": params["to_name"], "contacts": job.total},
    )
    return job
