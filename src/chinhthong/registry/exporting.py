"""Writing the registry as a document (dict), and that document as JSON or YAML."""

import json

import yaml

from chinhthong.registry import schema
from chinhthong.registry.models import (
    Agency,
    Channel,
    ChannelStatus,
    ReportRecipient,
    SourceDocument,
)

MODELS = {
    "documents": SourceDocument,
    "agencies": Agency,
    "channels": Channel,
    "report_recipients": ReportRecipient,
}


def registry_document(*, published_only: bool = False) -> dict:
    """The whole registry; ``published_only`` leaves out retired channels and inactive
    recipients (what /registry.json publishes)."""
    channels = Channel.objects.select_related("agency", "source").order_by("slug")
    recipients = ReportRecipient.objects.select_related("agency", "source").order_by("code")
    if published_only:
        channels = channels.exclude(status=ChannelStatus.RETIRED)
        recipients = recipients.filter(active=True)
    return {
        "format": schema.FORMAT,
        "version": schema.VERSION,
        "documents": [_entry("documents", d) for d in SourceDocument.objects.order_by("number")],
        "agencies": [_entry("agencies", a) for a in _agencies_parents_first()],
        "channels": [_entry("channels", c) for c in channels],
        "report_recipients": [_entry("report_recipients", r) for r in recipients],
    }


def _agencies_parents_first() -> list[Agency]:
    agencies = list(
        Agency.objects.select_related("parent", "successor", "succession_document").order_by("code")
    )
    by_pk = {a.pk: a for a in agencies}

    def depth(agency: Agency) -> int:
        steps = 0
        while agency.parent_id and steps < len(agencies):
            agency, steps = by_pk[agency.parent_id], steps + 1
        return steps

    return sorted(agencies, key=lambda a: (depth(a), a.code))


def _entry(section: str, obj) -> dict:
    entry = {}
    for field in schema.FIELDS[section]:
        value = _value(section, obj, field)
        if value in ("", None) and field not in schema.REQUIRED[section]:
            continue
        if field in schema.BOOL_FIELDS and value == schema.BOOL_DEFAULTS[field]:
            continue
        entry[field] = value
    return entry


def _value(section: str, obj, field: str):
    target = schema.REFERENCES.get((section, field))
    if target:
        related = getattr(obj, field)
        return getattr(related, schema.KEY_FIELD[target]) if related else None
    value = getattr(obj, field)
    if field in schema.DATE_FIELDS:
        return value.isoformat() if value else None
    return value


def dumps(document: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    raise ValueError(f"unknown format {fmt!r}")
