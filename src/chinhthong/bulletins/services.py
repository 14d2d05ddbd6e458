"""Writing and publishing bulletins. Every write is one function here; the back office, the
CLI (`chinhthong bulletins publish FILE.md`) and the tests all call them."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chinhthong.bulletins import rendering, signing
from chinhthong.bulletins.models import Bulletin, BulletinVersion, Status, Urgency
from chinhthong.config.refusals import Refused
from chinhthong.verify.text import fold


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


def _unique_slug(title: str) -> str:
    base = slugify(fold(title))[:100].strip("-") or "ban-tin"
    slug, n = base, 1
    while Bulletin.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _new_version(
    bulletin: Bulletin, draft: Draft, *, number: int, actor, **extra
) -> BulletinVersion:
    version = BulletinVersion(
        bulletin=bulletin,
        number=number,
        title=draft.title.strip(),
        summary=draft.summary.strip(),
        body_markdown=draft.body_markdown,
        body_html=rendering.render(draft.body_markdown),
        sources=draft.sources,
        created_by=actor,
        **extra,
    )
    version.full_clean(exclude=["bulletin", "body_html"])
    return version


@transaction.atomic
def create_draft(draft: Draft, *, actor) -> Bulletin:
    if not draft.whole_province and not draft.units:
        raise Refused(
            _("Choose the units the bulletin is for, or the whole province."), code="no_audience"
        )
    bulletin = Bulletin(
        slug=_unique_slug(draft.title),
        urgency=draft.urgency,
        whole_province=draft.whole_province,
        tags=draft.tags,
        created_by=actor,
    )
    bulletin.full_clean(exclude=["audience"])
    bulletin.save()
    bulletin.audience.set(draft.units)
    version = _new_version(bulletin, draft, number=1, actor=actor)
    version.save()
    return bulletin


@transaction.atomic
def publish(bulletin: Bulletin, *, actor) -> Bulletin:
    """Publish now: sign the version, open the public page and start delivery."""
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status == Status.PUBLISHED:
        raise Refused(_("This bulletin is already published."), code="already_published")
    if bulletin.status == Status.CANCELLED:
        raise Refused(_("A cancelled bulletin cannot be published."), code="cancelled")
    bulletin.status = Status.PUBLISHED
    bulletin.published_at = timezone.now()
    bulletin.scheduled_for = None
    bulletin._change_reason = "publish"
    bulletin.save()
    version = bulletin.latest_version
    signing.sign_version(version)
    version.save(update_fields=["signed_body", "signature", "key_id"])
    return bulletin


@transaction.atomic
def correct(bulletin: Bulletin, draft: Draft, *, actor, significant: bool, change_note: str = ""):
    """A correction is a new signed version; when ``significant``, staff who read an earlier
    one are asked to read it again."""
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    latest = bulletin.latest_version
    version = _new_version(
        bulletin,
        draft,
        number=latest.number + 1,
        actor=actor,
        significant=significant,
        change_note=change_note.strip(),
    )
    if bulletin.status == Status.PUBLISHED:
        signing.sign_version(version)
    version.save()
    if significant:
        bulletin.read_from_version = version.number
        bulletin.save(update_fields=["read_from_version"])
    return version
