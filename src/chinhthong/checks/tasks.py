import logging

from django_tasks import task

from chinhthong.checks import blocklists

log = logging.getLogger(__name__)


@task()
def fetch_due_blocklists() -> dict[str, str]:
    """Fetch every feed whose interval has passed; one failing feed does not stop the others."""
    outcome = {}
    for source in blocklists.due_sources():
        try:
            summary = blocklists.fetch(source)
            outcome[source.name] = f"+{summary.added} ={summary.kept} -{summary.removed}"
        except blocklists.BlocklistError as exc:
            log.warning("blocklist %s: %s", source.name, exc)
            outcome[source.name] = f"error: {exc}"
    return outcome


@task()
def expire_blocklists() -> int:
    return blocklists.expire()
