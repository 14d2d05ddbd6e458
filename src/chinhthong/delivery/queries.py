"""Reads of delivery that several edges share: the bulletin's status summary (the CLI, the
back office, the editor's bulletin page)."""

from dataclasses import dataclass

from django.db.models import Count

from chinhthong.delivery.models import Channel, Delivery, Status


@dataclass(frozen=True)
class ChannelSummary:
    channel: str
    label: str
    counts: dict[str, int]  # status -> rows
    total: int

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def status_counts(bulletin) -> dict[str, dict[str, int]]:
    """channel -> status -> number of deliveries of ``bulletin`` (every version)."""
    found: dict[str, dict[str, int]] = {}
    rows = (
        Delivery.objects.filter(bulletin=bulletin)
        .values("channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        found.setdefault(row["channel"], {})[row["status"]] = row["n"]
    return found


def status_summary(bulletin) -> list[ChannelSummary]:
    """One line per channel the bulletin went out on, in the channels' order, with a count
    per status (Status order): the table of the bulletin page and `delivery status`."""
    counts = status_counts(bulletin)
    return [
        ChannelSummary(
            channel=channel,
            label=str(label),
            counts={s: counts[channel].get(s, 0) for s in Status.values},
            total=sum(counts[channel].values()),
        )
        for channel, label in Channel.choices
        if channel in counts
    ]


def failure_reasons(bulletin, limit: int = 10) -> list[tuple[str, str, str, int]]:
    """The most frequent reasons of failures: (channel, status, reason, rows)."""
    failed = (Status.TEMPORARY_FAILURE, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE)
    rows = (
        Delivery.objects.filter(bulletin=bulletin, status__in=failed)
        .values("channel", "status", "reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "channel")[:limit]
    )
    return [(r["channel"], r["status"], r["reason"], r["n"]) for r in rows]
