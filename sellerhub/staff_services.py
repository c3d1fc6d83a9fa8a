"""Staff writes for the Owner (the in-app Staff page, ``sellerhub.staff``): add a member of staff
with one role, change the role, deactivate and reactivate, reset the password, and the one-time
set-password link. Keyword-only functions, one transaction each, a ``StaffError`` with a message
the Owner can act on. The shop always keeps an active Owner: the last one can't be deactivated or
given another role, and an Owner never deactivates or demotes their own account from here."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from knox.models import AuthToken

from sellerhub.roles import OWNER, ROLES

User = get_user_model()


class StaffError(Exception):
    """A staff change that was refused; ``str()`` says why and what to do instead."""


class LastOwnerError(StaffError):
    pass


class OwnAccountError(StaffError):
    pass


class UsernameTakenError(StaffError):
    pass


class PasswordRejectedError(StaffError):
    pass


class UnknownRoleError(StaffError):
    pass


@dataclass(frozen=True)
class SetPasswordLink:
    """The parts of a one-time set-password URL (``uidb64`` and ``token``): valid until the
    password is set or ``PASSWORD_RESET_TIMEOUT`` passes."""

    uidb64: str
    token: str


def _check_role(role: str) -> Group:
    if role not in ROLES:
        raise UnknownRoleError(f"Choose a role: {', '.join(ROLES)}.")
    return Group.objects.get(name=role)


def _check_password(password: str, user) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise PasswordRejectedError(" ".join(exc.messages)) from exc


def _link_for(user) -> SetPasswordLink:
    return SetPasswordLink(uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
                           token=default_token_generator.make_token(user))


def _lock_staff(user_id: int):
    """The lock helper of the staff family: the active Owners and the member changed, locked in
    primary-key order, so two Owners can't each remove the other and leave the shop without one."""
    ids = set(User.objects.filter(is_active=True, groups__name=OWNER).values_list("pk", flat=True)) | {user_id}
    rows = list(User.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    by_id = {row.pk: row for row in rows}
    if user_id not in by_id:
        raise StaffError("That member of staff no longer exists.")
    return by_id[user_id]


def _is_owner(user) -> bool:
    return user.groups.filter(name=OWNER).exists()


def _other_active_owners(user) -> int:
    return User.objects.filter(is_active=True, groups__name=OWNER).exclude(pk=user.pk).count()


def create_staff(*, username: str, role: str, first_name: str = "", last_name: str = "", email: str = "",
                 password: str = "") -> tuple[object, SetPasswordLink | None]:
    """Add a member of staff with one role. With a password it is checked by the password rules
    and set; without one the account gets no usable password and a one-time set-password link
    is returned, to be handed over once."""
    username = username.strip()
    if not username:
        raise StaffError("Enter a username.")
    with transaction.atomic():
        group = _check_role(role)
        if User.objects.filter(username__iexact=username).exists():
            raise UsernameTakenError(f"The username {username!r} is taken: choose another.")
        user = User(username=username, first_name=first_name.strip(), last_name=last_name.strip(),
                    email=email.strip(), is_active=True, is_staff=False)
        if password:
            _check_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        user.groups.add(group)
    return user, (None if password else _link_for(user))


def change_role(*, actor, user_id: int, role: str):
    """Give a member of staff another role (their only role)."""
    with transaction.atomic():
        group = _check_role(role)
        user = _lock_staff(user_id)
        if role != OWNER and _is_owner(user):
            if user.pk == actor.pk:
                raise OwnAccountError("You can't take the Owner role from your own account; "
                                      "another Owner can.")
            if user.is_active and not _other_active_owners(user):
                raise LastOwnerError(f"{user.get_username()} is the last active Owner: make someone "
                                     "else Owner first.")
        user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(pk=group.pk))
        user.groups.add(group)
    return user


def set_active(*, actor, user_id: int, active: bool):
    """Deactivate (the login is refused, the sessions end, the API tokens are revoked) or
    reactivate a member of staff. Their history stays."""
    with transaction.atomic():
        user = _lock_staff(user_id)
        if not active:
            if user.pk == actor.pk:
                raise OwnAccountError("You can't deactivate your own account; another Owner can.")
            if _is_owner(user) and not _other_active_owners(user):
                raise LastOwnerError(f"{user.get_username()} is the last active Owner: make someone "
                                     "else Owner first.")
            AuthToken.objects.filter(user=user).delete()
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


def reset_password(*, actor, user_id: int, password: str = "") -> SetPasswordLink | None:
    """Set a new password (checked by the password rules), or, without one, end the current
    password and return a one-time set-password link. Either way the old password stops working
    and the member's API tokens are revoked."""
    with transaction.atomic():
        user = _lock_staff(user_id)
        if password:
            _check_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        AuthToken.objects.filter(user=user).delete()
    return None if password else _link_for(user)
