"""Logging in by a one-time link sent by email, for staff on a roster (reach.StaffMember), most
of whom never choose a password.

- Asking for a link answers the same whatever the address: the request only counts the asker
  and queues a task; the task looks the address up, and sends a link only to an active person
  on a roster whose account is active. So the page reveals nothing about who is on a roster,
  not even through how long it takes to answer.
- A link holds 32 random bytes; only their SHA-256 is stored (accounts.LoginLink). It works
  once, within LIFETIME: it is spent under a row lock, so two uses at once cannot both log in.
- Asking is limited per client address and per email address (PER_CLIENT, PER_ADDRESS),
  besides the log-in pages' own rate limit; past either limit nothing is sent, and the answer
  is still the same.
- Opening the link shows a button that logs in (a POST): mail filters and link scanners that
  fetch every address in a message do not spend it.
- Only accounts whose roles are those of a roster (staff, unit manager) log in by link: an
  account that works in the back office, or has any other role, keeps its password and its
  lock-out, even when its email is on a roster.

Why not django-sesame: its one-time tokens are revoked by the next log-in (last_login is part
of the signature), so two links asked for in a row, or a scanner racing the person, are not
told apart; it authenticates through the AUTHENTICATION_BACKENDS chain (and so through
django-axes, which would count a spent link as a failed password); and its lifetime is one
global setting. A stored, hashed, single-use token is a few lines and says exactly what
happened to each link.
"""

import datetime as dt
import hashlib
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from chinhthong.accounts import roles
from chinhthong.accounts.models import LoginLink

LIFETIME = dt.timedelta(minutes=15)
PER_ADDRESS = (3, 15 * 60)  # links asked for one address, per 15 minutes
PER_CLIENT = (10, 60 * 60)  # asks from one client address, per hour
MAX_TOKEN_CHARS = 100
# The roles a roster gives; an account with any other logs in with its password only.
LINK_ROLES = {roles.STAFF, roles.UNIT_MANAGER}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _over(kind: str, who: str, limit: tuple[int, int]) -> bool:
    """Count one more ask by ``who`` in the current window; True past the limit."""
    count, period = limit
    window = int(time.time() // period)
    key = f"login-link:{kind}:{_digest(who)[:32]}:{window}"
    cache.add(key, 0, period + 5)
    try:
        # None: the shared cache is down (config/cache.py fails open), as rate limits do.
        return (cache.incr(key) or 0) > count
    except ValueError:  # expired between add and incr
        return False


def ask_for_link(email: str, *, client: str) -> None:
    """Someone asks for a link to ``email``. Returns nothing whatever happens."""
    address = email.strip().lower()
    if _over("client", client, PER_CLIENT) or _over("address", address, PER_ADDRESS):
        return
    send_login_link.enqueue(address)


def person_for(address: str):
    """The account of the active person on a roster with this email, if its account may log
    in; None otherwise."""
    from chinhthong.reach.models import StaffMember

    staff = (
        StaffMember.objects.filter(email=address, active=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return staff.user if staff is not None and may_use_links(staff.user) else None


def may_use_links(user) -> bool:
    """Whether ``user`` may log in by a link: no back office, no role beyond a roster's."""
    if user.is_staff or user.is_superuser:
        return False
    return not user.groups.exclude(name__in=LINK_ROLES).exists()


@task()
def send_login_link(address: str) -> bool:
    """Send a link to ``address`` if it belongs to someone who may log in by one."""
    user = person_for(address)
    if user is None:
        return False
    token = issue(user)
    url = settings.PUBLIC_URL + reverse("accounts:login-link", kwargs={"token": token})
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "url": url,
            "minutes": int(LIFETIME.total_seconds() // 60),
            "site": settings.PUBLIC_URL,
        }
        subject = render_to_string("accounts/login_link_subject.txt", context).strip()
        body = render_to_string("accounts/login_link_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return True


def issue(user) -> str:
    """A new link's secret for ``user``; their spent and expired links are forgotten."""
    now = timezone.now()
    LoginLink.objects.filter(user=user).exclude(used_at=None).delete()
    LoginLink.objects.filter(user=user, expires_at__lte=now).delete()
    token = secrets.token_urlsafe(32)
    LoginLink.objects.create(
        user=user, digest=_digest(token), created_at=now, expires_at=now + LIFETIME
    )
    return token


def usable(token: str) -> bool:
    """Whether the link would log someone in now (nothing is spent)."""
    if len(token) > MAX_TOKEN_CHARS:
        return False
    link = LoginLink.objects.filter(digest=_digest(token)).select_related("user").first()
    return link is not None and _valid(link, timezone.now())


def redeem(token: str):
    """Spend the link: its person when it was unused, unexpired and their account active;
    None otherwise. Under a row lock, so that a link logs in once however many use it."""
    if len(token) > MAX_TOKEN_CHARS:
        return None
    now = timezone.now()
    with transaction.atomic():
        link = (
            LoginLink.objects.select_for_update()
            .filter(digest=_digest(token))
            .select_related("user")
            .first()
        )
        if link is None or not _valid(link, now):
            return None
        link.used_at = now
        link.save(update_fields=["used_at"])
    return link.user


def _valid(link: LoginLink, now) -> bool:
    """Unused, unexpired, and its person still active on a roster with an active account
    that may log in by link (a role given since it was sent counts)."""
    from chinhthong.reach.models import StaffMember

    return (
        link.used_at is None
        and link.expires_at > now
        and link.user.is_active
        and may_use_links(link.user)
        and StaffMember.objects.filter(user=link.user, active=True).exists()
    )
