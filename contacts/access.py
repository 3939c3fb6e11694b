"""Who may see and change which contacts.

Guardian's direct-FK tables are the record: responsible users hold view, change and
delete on their contacts; the "CRM users" group holds view (public read) or all three
(public read/write). CRM admins hold the global permissions.
"""

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.lookups import IsNull
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.http import Http404
from django.shortcuts import get_object_or_404
from guardian.core import ObjectPermissionChecker

from contacts.db import counts
from contacts.models import (
    CRM_ADMINS_GROUP,
    CRM_USERS_GROUP,
    Contact,
    ContactGroupObjectPermission,
    ContactUserObjectPermission,
)

OBJECT_PERMS = ("view_contact", "change_contact", "delete_contact")
GROUP_PERMS_BY_ACCESS = {
    Contact.Access.PRIVATE: (),
    Contact.Access.PUBLIC_READ: ("view_contact",),
    Contact.Access.PUBLIC_RW: OBJECT_PERMS,
}
PUBLIC = (Contact.Access.PUBLIC_READ, Contact.Access.PUBLIC_RW)

# Whoever a request comes from: the access checks answer "nothing" to an anonymous one.
AnyUser = User | AnonymousUser


class Perm(StrEnum):
    """What a user asks to do with a contact: see it, change it, or delete it."""

    VIEW = "view"
    CHANGE = "change"
    DELETE = "delete"

    @property
    def codename(self) -> str:
        return f"{self}_contact"


def ensure_groups(using: str = "default") -> None:
    """Create the CRM groups with their global permissions."""
    perms = Permission.objects.using(using).filter(content_type__app_label="contacts")
    users, _ = Group.objects.using(using).get_or_create(name=CRM_USERS_GROUP)
    users.permissions.add(*perms.filter(codename="add_contact"))
    admins, _ = Group.objects.using(using).get_or_create(name=CRM_ADMINS_GROUP)
    admins.permissions.add(
        *perms.filter(codename__in=("add_contact", *OBJECT_PERMS, "add_contacttype"))
    )


def make_crm_user(user: User) -> None:
    user.groups.add(Group.objects.get_or_create(name=CRM_USERS_GROUP)[0])


def _roles(user: AnyUser) -> tuple[bool, bool]:
    # Read once per user object (the sign-in backend reads them with the user of a
    # session): a request asks many times. Through getattr, which reaches the user behind
    # request.user's lazy object.
    roles = getattr(user, "_crm_roles", None)
    if roles is None:
        names = set(user.groups.values_list("name", flat=True))
        roles = user.__dict__["_crm_roles"] = (
            user.is_superuser or CRM_ADMINS_GROUP in names,
            CRM_USERS_GROUP in names,
        )
    return roles


def is_crm_admin(user: AnyUser) -> bool:
    return user.is_authenticated and user.is_active and _roles(user)[0]


def is_crm_user(user: AnyUser) -> bool:
    """Return whether user may use the CRM at all: a CRM user, a CRM admin or a superuser."""
    return user.is_authenticated and user.is_active and any(_roles(user))


# database alias: {codename: id}; cleared when the tables are rebuilt
_PERMISSION_IDS: dict[str, dict[str, int]] = {}


@receiver(post_migrate)
def _forget_permission_ids(**kwargs: Any) -> None:
    # migrate, and flush in tests, may create the permissions again with other ids.
    _PERMISSION_IDS.clear()


def _permission_ids() -> dict[str, int]:
    """Return {codename: id} of the contact permissions, read once per process."""
    # The ids, not a join on the codename: the EXISTS probes then use the
    # (user, permission, content_object) index instead of scanning the user's rows.
    if DEFAULT_DB_ALIAS not in _PERMISSION_IDS:
        _PERMISSION_IDS[DEFAULT_DB_ALIAS] = dict(
            Permission.objects.filter(
                content_type__app_label="contacts", codename__in=OBJECT_PERMS
            ).values_list("codename", "id")
        )
    return _PERMISSION_IDS[DEFAULT_DB_ALIAS]


def _granted(user: User, codename: str = "view_contact") -> QuerySet[ContactUserObjectPermission]:
    return ContactUserObjectPermission.objects.filter(
        user=user, permission_id=_permission_ids()[codename]
    )


def shared_with_crm_users(contact_id: OuterRef) -> Exists:
    """Whether the contact of contact_id is public: the "CRM users" group holds a right on it.

    What grant_access writes for a public contact and never for a private one; a probe of
    the group rows' index, where asking contact.access would read the contact's row.
    """
    return Exists(ContactGroupObjectPermission.objects.filter(content_object_id=contact_id))


def contacts_visible_to(
    user: AnyUser,
    queryset: QuerySet[Contact] | None = None,
    perm: Perm = Perm.VIEW,
    *,
    probe: bool = False,
) -> QuerySet[Contact]:
    """Return the contacts that user may see, or with Perm.CHANGE or Perm.DELETE, act on.

    probe: look each contact that is not public up in the user's grants, rather than
    let PostgreSQL read all his grants into a hash first. For a query that stops after a
    few of many rows (a search's first matches, a page of them): the grants of an
    ordinary user responsible for 40,000 of a million contacts take 3 ms to hash in each
    such query, where probing the rows it reads costs a fraction of that. A walk through
    many private contacts (the list's deep pages) is cheaper with the hash.
    """
    perm = Perm(perm)  # a misspelt permission raises rather than checking visibility only
    qs = Contact.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if is_crm_admin(user):
        return qs
    # Equivalent to guardian's get_objects_for_user (a test holds them together), but
    # a plain column test and one indexed EXISTS instead of a join over both tables.
    grants = _granted(user, perm.codename).filter(content_object=OuterRef("pk"))
    granted = Q(Exists(grants))
    if probe:
        # A scalar subquery, which PostgreSQL never turns into a hash as it may an EXISTS.
        granted = Q(IsNull(Subquery(grants.values("pk")[:1]), False))
    if _roles(user)[1]:
        public = PUBLIC if perm is Perm.VIEW else (Contact.Access.PUBLIC_RW,)
        return qs.filter(Q(access__in=public) | granted)
    return qs.filter(granted)


def active_crm_users() -> QuerySet[User]:
    """Return the users who may use the CRM now: active CRM users, CRM admins, superusers."""
    crm = Q(is_superuser=True) | Q(groups__name__in=[CRM_USERS_GROUP, CRM_ADMINS_GROUP])
    return User.objects.filter(crm, is_active=True).distinct()


def sees_public_contacts(user: AnyUser) -> bool:
    """Return whether user sees every public contact: a CRM user (or a CRM admin)."""
    return user.is_authenticated and user.is_active and (is_crm_admin(user) or _roles(user)[1])


def view_granted_sql(user: User, column: str) -> tuple[str, list[int]]:
    """Return (SQL, parameters) true when user holds view_contact on the contact whose id
    is in column (a column of the caller's query, quoted as need be)."""
    sql = (
        # safe-sql: the caller's column; the user and the permission go as parameters.
        # safe-sql: this module's constants; values go as parameters.
        "(SELECT 1 FROM contacts_contactuserobjectpermission p "  # noqa: S608
        f"WHERE p.content_object_id = {column} AND p.user_id = %s AND p.permission_id = %s "
        "LIMIT 1) IS NOT NULL"
    )
    return sql, [user.pk, view_permission_id()]


def view_permission_id() -> int:
    """Return the id of view_contact, the permission guardian's rows grant to see a contact."""
    return _permission_ids()["view_contact"]


def count_visible_to(user: AnyUser) -> int:
    """Return how many contacts user may see: contacts_visible_to(user).count(), faster.

    Admins and CRM users read the counts the triggers keep (contacts/counts.py).
    """
    if not (user.is_authenticated and user.is_active):
        return 0
    if is_crm_admin(user):
        return counts.total("live")
    if _roles(user)[1]:
        return counts.total("public", counts.user_key(user.pk))
    return _granted(user).filter(content_object__deleted_at__isnull=True).count()


def editable_ids(user: User, contacts: Iterable[Contact]) -> set[int]:
    """Return the ids among contacts that user may change."""
    if is_crm_admin(user):
        return {c.pk for c in contacts}
    ids = {c.pk for c in contacts if c.access == Contact.Access.PUBLIC_RW and _roles(user)[1]}
    ids |= set(
        _granted(user, "change_contact")
        .filter(content_object__in=[c.pk for c in contacts])
        .values_list("content_object_id", flat=True)
    )
    return ids


def with_permissions(user: User, queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    """Annotate on each contact may_change and may_delete: what user may do with it.

    Read by can_change and can_delete, so a page asks once, in the query that reads the
    contacts, instead of once per contact.
    """
    if is_crm_admin(user):
        return queryset.annotate(may_change=Value(True), may_delete=Value(True))
    public = Q(access=Contact.Access.PUBLIC_RW) if _roles(user)[1] else Q(pk__in=[])

    def allowed(codename: str) -> Case:
        # A LIMIT 1 subquery, not EXISTS: under OR, PostgreSQL may answer an EXISTS by
        # hashing all the user's grants (thousands of rows) even for one page of
        # contacts; this one it probes per contact in the unique index, 3 times faster.
        probe = _granted(user, codename).filter(content_object=OuterRef("pk")).values("pk")[:1]
        granted = IsNull(Subquery(probe), False)
        return Case(
            When(public | Q(granted), then=True), default=False, output_field=BooleanField()
        )

    return queryset.annotate(
        may_change=allowed("change_contact"), may_delete=allowed("delete_contact")
    )


def with_company_visibility(user: User, queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    """Annotate on each contact company_visible: whether user may see its company.

    A public person may work at a private company: its name is then not the user's to
    read (Contact.shown_company). One CASE in the query that reads the contacts: the
    company's access column from the join, and a probe of the user's grants only for a
    private company, instead of a query per row.
    """
    if is_crm_admin(user):
        return queryset.annotate(company_visible=Value(True))
    public = Q(company__access__in=PUBLIC) if _roles(user)[1] else Q(pk__in=[])
    probe = _granted(user).filter(content_object=OuterRef("company_id")).values("pk")[:1]
    return queryset.annotate(
        company_visible=Case(
            When(public, then=True),
            When(IsNull(Subquery(probe), False), then=True),
            default=False,
            output_field=BooleanField(),
        )
    )


def _checker(user: User) -> ObjectPermissionChecker:
    # One guardian checker per user object: it caches an object's permissions, so asking
    # whether the user may change and delete a contact costs its two queries once.
    checker = user.__dict__.get("_crm_checker")
    if checker is None:
        checker = user.__dict__["_crm_checker"] = ObjectPermissionChecker(user)
    return checker


def can_change(user: AnyUser, contact: Contact) -> bool:
    if hasattr(contact, "may_change"):  # read with with_permissions(user, …)
        return contact.may_change
    return is_crm_admin(user) or (
        user.is_active and _checker(user).has_perm("change_contact", contact)
    )


def can_delete(user: AnyUser, contact: Contact) -> bool:
    if hasattr(contact, "may_delete"):
        return contact.may_delete
    return is_crm_admin(user) or (
        user.is_active and _checker(user).has_perm("delete_contact", contact)
    )


# What rights_annotations asks about the contacts read: a grant to the user on one of its
# columns (its id, or its company's), and its company's access.
# A LIMIT 1 probe rather than EXISTS, as in with_permissions: under OR, PostgreSQL may
# answer an EXISTS for a page of contacts by hashing all the user's grants.
GRANTED_ON = (
    '(SELECT 1 FROM "contacts_contactuserobjectpermission" p'
    ' WHERE p.content_object_id = "contacts_contact"."{}"'
    " AND p.user_id = %s AND p.permission_id = %s LIMIT 1) IS NOT NULL"
)
ACCESS_IN = '"contacts_contact"."access" IN ({})'
COMPANY_PUBLIC = (
    'EXISTS (SELECT 1 FROM "contacts_contact" c'
    ' WHERE c.id = "contacts_contact"."company_id" AND c.access IN (%s, %s))'
)


RIGHTS = ("may_view", "may_change", "may_delete", "company_visible")


def rights_sql(user: AnyUser, names: Sequence[str] = RIGHTS) -> dict[str, tuple[str, list[object]]]:
    """Return {name: (SQL, parameters)} of the rights named: may_view, may_change,
    may_delete and company_visible, the same as contacts_visible_to, with_permissions and
    with_company_visibility say (a test holds them together), for a query that reads
    contacts to show them.

    Plain SQL rather than the ORM's subqueries: building and compiling those cost more
    than running them. Only for a query of its own, never a subquery: the SQL names the
    contacts' table, which keeps its name only in a query of its own.
    """
    if is_crm_admin(user):
        return {name: ("TRUE", []) for name in names}
    ids = _permission_ids()
    crm_user = _roles(user)[1]
    rights = {}
    for name, codename, public in (
        ("may_view", "view_contact", PUBLIC),
        ("may_change", "change_contact", (Contact.Access.PUBLIC_RW,)),
        ("may_delete", "delete_contact", (Contact.Access.PUBLIC_RW,)),
        ("company_visible", "view_contact", ()),
    ):
        if name not in names:
            continue
        sql = GRANTED_ON.format("id")
        params: list[object] = [user.pk, ids[codename]]
        if name == "company_visible":
            sql = GRANTED_ON.format("company_id")
            if crm_user:
                sql, params = f"{COMPANY_PUBLIC} OR {sql}", [*PUBLIC, *params]
        elif crm_user:
            access = ACCESS_IN.format(", ".join(["%s"] * len(public)))
            sql, params = f"{access} OR {sql}", [*public, *params]
        rights[name] = (f"({sql})", params)
    return rights


def visible_among(
    user: AnyUser, ids: Iterable[int], columns: Sequence[str] = ("id",)
) -> list[tuple[Any, ...]]:
    """Return the columns of those of ids that are live contacts user may see: the other
    ends a card names, probed in one statement with his rights written in it
    (rights_sql), as contacts_visible_to(user).filter(pk__in=ids) would, without the
    ORM's building. columns are the model's own (checked)."""
    ids = sorted({int(pk) for pk in ids})
    if not ids or not (user.is_authenticated and user.is_active):
        return []
    known = {field.column for field in Contact._meta.concrete_fields}
    if unknown := set(columns) - known:
        raise ValueError(f"not a column of the contacts: {sorted(unknown)}")
    selected = ", ".join(f'"contacts_contact"."{column}"' for column in columns)
    may_view, params = rights_sql(user, ["may_view"])["may_view"]
    ids_params: list[Any] = list(ids)
    among = f"IN ({', '.join(['%s'] * len(ids))})"
    if connection.vendor == "postgresql":
        # One array: one prepared statement whatever the number of ids.
        among, ids_params = "= ANY(%s)", [ids]
    sql = (
        # safe-sql: rights_sql's rights, the columns checked above; ids are parameters.
        f'SELECT {selected} FROM "contacts_contact" '  # noqa: S608
        f'WHERE "contacts_contact"."id" {among} '
        f'AND "contacts_contact"."deleted_at" IS NULL AND {may_view}'
    )
    arguments: list[Any] = [*ids_params, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        return cursor.fetchall()


def rights_annotations(user: User, names: Sequence[str] = RIGHTS) -> dict[str, Any]:
    """Return the rights of rights_sql as annotations of a query of its own."""
    if is_crm_admin(user):
        return {name: Value(True) for name in names}
    return {
        # safe-sql: rights_sql's constants with placeholders; the values are in params.
        name: RawSQL(sql, params, output_field=BooleanField())  # noqa: S611
        for name, (sql, params) in rights_sql(user, names).items()
    }


def get_contact_for_user(
    user: User, pk: int, perm: Perm = Perm.VIEW, queryset: QuerySet[Contact] | None = None
) -> Contact:
    """Return the contact, or 404 when user cannot see it and 403 when he cannot act.

    Annotated with what user may do with it and whether he may see its company.
    """
    perm = Perm(perm)
    contacts = Contact.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active):
        raise Http404
    contact = get_object_or_404(contacts.annotate(**rights_annotations(user)), pk=pk)
    if not vars(contact)["may_view"]:  # annotated above
        raise Http404
    if perm is Perm.CHANGE and not can_change(user, contact):
        raise PermissionDenied
    if perm is Perm.DELETE and not can_delete(user, contact):
        raise PermissionDenied
    return contact


def grant_access(
    contact: Contact, access: str, responsible_ids: Iterable[int], new: bool = False
) -> None:
    """Write the guardian rows that make access and responsible users true.

    A new contact has no rows yet: nothing to delete or to read first.
    """
    perms = _permission_ids()
    have = set()
    if not new:
        ContactUserObjectPermission.objects.filter(content_object=contact).exclude(
            user_id__in=responsible_ids
        ).delete()
        have = set(
            ContactUserObjectPermission.objects.filter(content_object=contact).values_list(
                "user_id", "permission_id"
            )
        )
    ContactUserObjectPermission.objects.bulk_create(
        ContactUserObjectPermission(content_object=contact, user_id=uid, permission_id=perms[p])
        for uid in responsible_ids
        for p in OBJECT_PERMS
        if (uid, perms[p]) not in have
    )
    granted = GROUP_PERMS_BY_ACCESS[contact.Access(access)]
    if not new:
        ContactGroupObjectPermission.objects.filter(content_object=contact).delete()
    if granted:
        group = Group.objects.get_or_create(name=CRM_USERS_GROUP)[0]
        ContactGroupObjectPermission.objects.bulk_create(
            ContactGroupObjectPermission(
                content_object=contact, group=group, permission_id=perms[p]
            )
            for p in granted
        )


def grant_responsible_many(
    contact_ids: Sequence[int], user_ids: Sequence[int], *, replace: bool
) -> None:
    """Give user_ids the permissions of responsible users on many contacts at once.

    With replace, the other users lose theirs.
    """
    perms = _permission_ids()
    rows = ContactUserObjectPermission.objects.filter(content_object_id__in=contact_ids)
    if replace:
        rows.exclude(user_id__in=user_ids).delete()
    ContactUserObjectPermission.objects.bulk_create(
        (
            ContactUserObjectPermission(content_object_id=cid, user_id=uid, permission_id=pid)
            for cid in contact_ids
            for uid in user_ids
            for pid in perms.values()
        ),
        ignore_conflicts=True,
    )


def revoke_responsible_many(contact_ids: Sequence[int], user_ids: Sequence[int]) -> None:
    """Take from user_ids the permissions of responsible users on many contacts at once."""
    ContactUserObjectPermission.objects.filter(
        content_object_id__in=contact_ids, user_id__in=user_ids
    ).delete()


def grant_access_many(contact_ids: Sequence[int], access: str) -> None:
    """Write the group permissions of one access level on many contacts at once."""
    perms = _permission_ids()
    group = Group.objects.get_or_create(name=CRM_USERS_GROUP)[0]
    ContactGroupObjectPermission.objects.filter(content_object_id__in=contact_ids).delete()
    ContactGroupObjectPermission.objects.bulk_create(
        ContactGroupObjectPermission(content_object_id=cid, group=group, permission_id=perms[p])
        for cid in contact_ids
        for p in GROUP_PERMS_BY_ACCESS[Contact.Access(access)]
    )
