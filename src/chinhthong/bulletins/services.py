"""Writing and publishing bulletins. Every write is one function here; the back office, the
CLI (`chinhthong bulletins publish FILE.md`) and the tests all call them.

A bulletin's life: a draft (edited in place: nothing of it is public), optionally scheduled,
then published (its version signed) — or cancelled before that. A published bulletin is never
edited: a correction is a new signed version, and a significant one asks staff to read again.
Each write leaves a record of who and when in the bulletin's history, with its reason.
"""

import dataclasses
import datetime as dt
import html
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chinhthong.bulletins import rendering, signing
from chinhthong.bulletins.models import Bulletin, BulletinVersion, Status, Urgency
from chinhthong.config.refusals import Refused
from chinhthong.config.validators import field_problems, validate_one_line
from chinhthong.verify import canonical
from chinhthong.verify.text import fold

log = logging.getLogger(__name__)

MAX_TITLE_CHARS = 300
MAX_TAGS = 20
MAX_TAG_CHARS = 50
MAX_SOURCES = 20
MAX_SOURCE_TITLE_CHARS = 300
MAX_URL_CHARS = 1000


@dataclass
class Draft:
    """What an editor writes: the text of a version and, for a new bulletin, who it is for."""

    title: str
    body_markdown: str
    summary: str = ""
    sources: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    urgency: str = Urgency.NORMAL
    whole_province: bool = True
    units: list = field(default_factory=list)


# --- what a draft may hold --------------------------------------------------------------------
def normalise_tags(tags) -> list[str]:
    """Topic tags as stored: NFC, lower case, single spaces, no leading "#", each once."""
    found: dict[str, None] = {}
    for raw in tags or []:
        if not isinstance(raw, str):
            raise Refused(_("A topic must be text."), code="tags")
        tag = " ".join(unicodedata.normalize("NFC", raw).split()).lstrip("#").strip(" ,;")
        if not tag:
            continue
        _one_line(tag, _("Topic “%(tag)s”") % {"tag": tag[:60]}, code="tags")
        if len(tag) > MAX_TAG_CHARS:
            raise Refused(
                _("The topic “%(tag)s…” is longer than %(max)s characters.")
                % {"tag": tag[:30], "max": MAX_TAG_CHARS},
                code="tags",
            )
        found.setdefault(tag.lower(), None)
    if len(found) > MAX_TAGS:
        raise Refused(_("A bulletin has at most %(max)s topics.") % {"max": MAX_TAGS}, code="tags")
    return list(found)


def clean_sources(sources) -> list[dict]:
    """The sources cited, each a title and an http(s) address (its host canonicalised), each
    address once; raises Refused naming the source by its number."""
    cleaned, seen = [], set()
    for number, source in enumerate(sources or [], start=1):
        where = {"number": number}
        if not isinstance(source, dict) or set(source) - {"title", "url"}:
            raise Refused(
                _("Source %(number)s: give a title and an address (title, url), nothing else.")
                % where,
                code="sources",
            )
        title = " ".join(str(source.get("title") or "").split())
        url = str(source.get("url") or "").strip()
        if not title:
            raise Refused(_("Source %(number)s has no title.") % where, code="sources")
        _one_line(title, _("Source %(number)s") % where, code="sources")
        if len(title) > MAX_SOURCE_TITLE_CHARS:
            raise Refused(
                _("Source %(number)s: the title is longer than %(max)s characters.")
                % {**where, "max": MAX_SOURCE_TITLE_CHARS},
                code="sources",
            )
        url = _source_url(url, number)
        if url in seen:
            raise Refused(
                _("Source %(number)s repeats the address %(url)s.") % {**where, "url": url},
                code="sources",
            )
        seen.add(url)
        cleaned.append({"title": title, "url": url})
    if len(cleaned) > MAX_SOURCES:
        raise Refused(
            _("A bulletin cites at most %(max)s sources.") % {"max": MAX_SOURCES}, code="sources"
        )
    return cleaned


def _source_url(url: str, number: int) -> str:
    refused = Refused(
        _("Source %(number)s: “%(url)s” is not a web address starting with http:// or https://.")
        % {"number": number, "url": url[:100]},
        code="sources",
    )
    if len(url) > MAX_URL_CHARS:
        raise refused
    try:
        validate_one_line(url)
        return canonical.canonical_url(url)
    except (canonical.InvalidIdentifier, ValidationError) as exc:
        raise refused from exc


def clean_audience(whole_province: bool, units) -> list:
    """The units a bulletin is for, each subtree once (a unit inside another chosen one is
    already in its subtree); none for the whole province."""
    if whole_province:
        return []
    units = list({unit.pk: unit for unit in units}.values())
    if not units:
        raise Refused(
            _("Choose the units the bulletin is for, or the whole province."), code="no_audience"
        )
    return [
        unit
        for unit in units
        if not any(other is not unit and unit.path.startswith(other.path) for other in units)
    ]


def clean_text(draft: Draft) -> Draft:
    """What a version says (its title, summary and sources), as it will be stored."""
    title = " ".join(draft.title.split())
    if not title:
        raise Refused(_("The bulletin has no title."), code="title")
    if len(title) > MAX_TITLE_CHARS:
        raise Refused(
            _("The title is longer than %(max)s characters.") % {"max": MAX_TITLE_CHARS},
            code="title",
        )
    _one_line(draft.title.strip(), _("Title"), code="title")
    return dataclasses.replace(
        draft, title=title, summary=draft.summary.strip(), sources=clean_sources(draft.sources)
    )


def clean_draft(draft: Draft) -> Draft:
    """The draft as it will be stored; raises Refused on anything it may not hold."""
    if draft.urgency not in Urgency.values:
        raise Refused(_("The urgency is either normal or urgent."), code="urgency")
    return dataclasses.replace(
        clean_text(draft),
        tags=normalise_tags(draft.tags),
        units=clean_audience(draft.whole_province, draft.units),
    )


def _one_line(value: str, where: str, *, code: str) -> None:
    try:
        validate_one_line(value)
    except ValidationError as exc:
        raise Refused(f"{where}: {' '.join(exc.messages)}", code=code) from exc


def _full_clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise Refused(field_problems(exc, type(obj)), code="invalid") from exc


# --- the body, with the bulletin's own files -------------------------------------------------
@dataclass(frozen=True)
class Rendered:
    html: str
    # (code, message): "external_image" (loads from another site: refused in any draft) and
    # "missing" (a file name that is not one of the bulletin's attachments: refused when the
    # bulletin is scheduled or published).
    problems: list[tuple[str, str]]
    external: tuple[str, ...] = ()  # the addresses of the pictures from other sites


_TAG = re.compile(r"<(img|a)\s([^>]*)>")
_TARGET = re.compile(r'\b(src|href)="([^"]*)"')
_FILE_NAME = re.compile(r"^[^/:?#]+$")


def attachment_url(attachment) -> str:
    return reverse("bulletins:attachment", kwargs={"pk": attachment.pk, "name": attachment.name})


def render_body(bulletin: Bulletin | None, markdown: str) -> Rendered:
    """The body's sanitised HTML, its images and links to a bare file name pointing at the
    bulletin's attachment of that name. An image may only be one of those: a picture loaded
    from another site would tell that site who read the bulletin, and when."""
    attachments = list(bulletin.attachments.all()) if bulletin and bulletin.pk else []
    by_name = {a.name: attachment_url(a) for a in attachments}
    own = set(by_name.values())
    problems: list[tuple[str, str]] = []
    external: list[str] = []

    def tag(match: re.Match) -> str:
        kind = match.group(1)

        def target(found: re.Match) -> str:
            attribute, value = found.groups()
            wanted = html.unescape(value)
            if wanted in by_name:
                return f'{attribute}="{html.escape(by_name[wanted])}"'
            if wanted in own or (kind == "a" and not _FILE_NAME.match(wanted)):
                return found.group(0)
            if kind == "img" and not _FILE_NAME.match(wanted):
                message = _(
                    "The image “%(src)s” is not one of the bulletin's attached files; attach "
                    "the picture and write its file name instead."
                )
                problems.append(("external_image", message % {"src": wanted[:100]}))
                external.append(wanted)
            else:
                message = _("No attached file is named “%(name)s”.")
                problems.append(("missing", message % {"name": wanted[:100]}))
            return found.group(0)

        return f"<{kind} {_TARGET.sub(target, match.group(2))}>"

    body = _TAG.sub(tag, rendering.render(markdown))
    return Rendered(
        html=body, problems=list(dict.fromkeys(problems)), external=tuple(dict.fromkeys(external))
    )


def _refuse_problems(rendered: Rendered, *, codes=("external_image", "missing")) -> None:
    messages = [message for code, message in rendered.problems if code in codes]
    if messages:
        raise Refused(" ".join(messages), code="body_files")


def rerender_draft(bulletin: Bulletin) -> None:
    """An unpublished bulletin's text again, after its files changed."""
    if bulletin.status in (Status.DRAFT, Status.SCHEDULED):
        version = bulletin.latest_version
        version.body_html = render_body(bulletin, version.body_markdown).html
        version.save(update_fields=["body_html"])


# --- the writes ----------------------------------------------------------------------------
# Addresses under /ban-tin/ that are pages of their own (bulletins/urls.py).
_RESERVED_SLUGS = {"kiem-tra"}


def _unique_slug(title: str) -> str:
    base = slugify(fold(title))[:100].strip("-") or "ban-tin"
    slug, n = base, 1
    while slug in _RESERVED_SLUGS or Bulletin.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _new_version(
    bulletin: Bulletin, draft: Draft, *, number: int, actor, strict: bool = False, **extra
) -> BulletinVersion:
    """A version of ``draft``, checked; ``strict``: every file it names must be attached."""
    rendered = render_body(bulletin, draft.body_markdown)
    _refuse_problems(
        rendered, codes=("external_image", "missing") if strict else ("external_image",)
    )
    version = BulletinVersion(
        bulletin=bulletin,
        number=number,
        title=draft.title.strip(),
        summary=draft.summary.strip(),
        body_markdown=draft.body_markdown,
        body_html=rendered.html,
        sources=draft.sources,
        created_by=actor,
        **extra,
    )
    _full_clean(version, exclude=["bulletin", "body_html"])
    return version


def record(bulletin: Bulletin, reason: str, *, actor, update_fields=None) -> None:
    """Save the bulletin with a history entry saying who did what (the reason)."""
    if actor is not None:
        bulletin._history_user = actor
    bulletin._change_reason = reason[:100]
    bulletin.save(update_fields=update_fields)


def _locked(bulletin: Bulletin) -> Bulletin:
    return Bulletin.objects.select_for_update().get(pk=bulletin.pk)


def _refuse_unless_unpublished(bulletin: Bulletin) -> None:
    if bulletin.status == Status.PUBLISHED:
        raise Refused(
            _("This bulletin is published: it is not edited but corrected with a new version."),
            code="published",
        )
    if bulletin.status == Status.CANCELLED:
        raise Refused(_("This bulletin was cancelled."), code="cancelled")


def _ready(bulletin: Bulletin) -> str:
    """The body's HTML when the bulletin may be published as it stands; raises Refused."""
    rendered = render_body(bulletin, bulletin.latest_version.body_markdown)
    _refuse_problems(rendered)
    return rendered.html


def local_time(when: dt.datetime) -> str:
    """A moment as Vietnam reads it: "07:00 06/12/2026"."""
    return formats.date_format(
        timezone.localtime(when, timezone.get_default_timezone()), "H:i d/m/Y"
    )


@transaction.atomic
def create_draft(draft: Draft, *, actor) -> Bulletin:
    draft = clean_draft(draft)
    bulletin = Bulletin(
        slug=_unique_slug(draft.title),
        urgency=draft.urgency,
        whole_province=draft.whole_province,
        tags=draft.tags,
        created_by=actor,
    )
    _full_clean(bulletin, exclude=["audience"])
    version = _new_version(bulletin, draft, number=1, actor=actor)
    record(bulletin, _("Draft written"), actor=actor)
    bulletin.audience.set(draft.units)
    version.bulletin = bulletin
    version.save()
    return bulletin


@transaction.atomic
def update_draft(bulletin: Bulletin, draft: Draft, *, actor) -> Bulletin:
    """Change what an unpublished bulletin says and who it is for; a scheduled one stays
    scheduled, and must still be publishable."""
    bulletin = _locked(bulletin)
    _refuse_unless_unpublished(bulletin)
    draft = clean_draft(draft)
    latest = bulletin.latest_version
    fresh = _new_version(bulletin, draft, number=latest.number, actor=latest.created_by)
    for name in ("title", "summary", "body_markdown", "body_html", "sources"):
        setattr(latest, name, getattr(fresh, name))
    latest.save()
    bulletin.urgency, bulletin.whole_province = draft.urgency, draft.whole_province
    bulletin.tags = draft.tags
    _full_clean(bulletin, exclude=["audience"])
    bulletin.audience.set(draft.units)
    if bulletin.status == Status.SCHEDULED:
        _ready(bulletin)
    record(bulletin, _("Draft edited"), actor=actor)
    return bulletin


@transaction.atomic
def schedule(bulletin: Bulletin, when: dt.datetime, *, actor) -> Bulletin:
    """Publish at ``when`` (a naive time is Vietnam's); the task publish_due does it."""
    bulletin = _locked(bulletin)
    _refuse_unless_unpublished(bulletin)
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_default_timezone())
    now = timezone.now()
    if when <= now:
        raise Refused(
            _("The time to publish must be in the future (it is %(now)s now).")
            % {"now": local_time(now)},
            code="past",
        )
    _ready(bulletin)
    bulletin.status, bulletin.scheduled_for = Status.SCHEDULED, when
    record(bulletin, _("Scheduled for %(when)s") % {"when": local_time(when)}, actor=actor)
    return bulletin


@transaction.atomic
def cancel(bulletin: Bulletin, *, actor) -> Bulletin:
    """Cancel a draft or a scheduled bulletin. A published one is corrected instead: what
    staff and residents read stays on record."""
    bulletin = _locked(bulletin)
    if bulletin.status == Status.PUBLISHED:
        raise Refused(
            _(
                "A published bulletin is not cancelled: correct it, and the new version says "
                "what changed."
            ),
            code="published",
        )
    if bulletin.status == Status.CANCELLED:
        raise Refused(_("This bulletin was cancelled already."), code="cancelled")
    bulletin.status, bulletin.scheduled_for = Status.CANCELLED, None
    record(bulletin, _("Cancelled"), actor=actor)
    return bulletin


@transaction.atomic
def publish(bulletin: Bulletin, *, actor) -> Bulletin:
    """Publish now: sign the version, open the public page and start delivery."""
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status == Status.PUBLISHED:
        raise Refused(_("This bulletin is already published."), code="already_published")
    if bulletin.status == Status.CANCELLED:
        raise Refused(_("A cancelled bulletin cannot be published."), code="cancelled")
    on_schedule = bulletin.status == Status.SCHEDULED and actor is None
    body_html = _ready(bulletin)
    bulletin.status = Status.PUBLISHED
    bulletin.published_at = timezone.now()
    bulletin.scheduled_for = None
    record(bulletin, _("Published as scheduled") if on_schedule else _("Published"), actor=actor)
    version = bulletin.latest_version
    version.body_html = body_html
    signing.sign_version(version)
    version.save(update_fields=["body_html", "signed_body", "signature", "key_id"])
    from chinhthong.delivery.tasks import deliver_bulletin  # delivery/services.py: fan_out

    transaction.on_commit(lambda: deliver_bulletin.enqueue(bulletin.pk))
    return bulletin


@transaction.atomic
def correct(bulletin: Bulletin, draft: Draft, *, actor, significant: bool, change_note: str = ""):
    """A correction is a new signed version of a published bulletin (its title, summary,
    body and sources; who it is for stays); when ``significant``, staff who read an earlier
    one are asked to read it again, and it is sent as the bulletin was (delivery/services.py:
    fan_out of the version; a normal bulletin in that day's digest)."""
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status != Status.PUBLISHED:
        raise Refused(
            _("Only a published bulletin is corrected; edit the draft instead."),
            code="not_published",
        )
    draft = clean_text(draft)
    latest = bulletin.latest_version
    version = _new_version(
        bulletin,
        draft,
        number=latest.number + 1,
        actor=actor,
        strict=True,
        significant=significant,
        change_note=" ".join(change_note.split()),
    )
    signing.sign_version(version)
    version.save()
    reason = _("Corrected: version %(number)s") % {"number": version.number}
    if significant:
        bulletin.read_from_version = version.number
        reason = _("Corrected: version %(number)s, significant") % {"number": version.number}
    record(bulletin, reason, actor=actor)
    if significant:  # everyone it went to hears of it, as they heard of the bulletin
        from chinhthong.delivery.tasks import deliver_bulletin

        number = version.number
        transaction.on_commit(lambda: deliver_bulletin.enqueue(bulletin.pk, number))
    return version


def publish_due(now: dt.datetime | None = None) -> list[Bulletin]:
    """Publish every scheduled bulletin whose time has come, each in its own transaction; one
    that cannot be published is logged and left scheduled (the next run tries again)."""
    now = now or timezone.now()
    due = Bulletin.objects.filter(status=Status.SCHEDULED, scheduled_for__lte=now)
    published = []
    for pk in due.order_by("scheduled_for").values_list("pk", flat=True):
        try:
            with transaction.atomic():
                bulletin = Bulletin.objects.select_for_update().get(pk=pk)
                # Another worker published it, or an editor changed it, since the query.
                if bulletin.status != Status.SCHEDULED or bulletin.scheduled_for > now:
                    continue
                published.append(publish(bulletin, actor=None))
        except Refused as exc:
            log.warning("scheduled bulletin %s not published: %s", pk, exc)
    return published
