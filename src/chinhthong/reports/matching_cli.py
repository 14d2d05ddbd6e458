"""`chinhthong reports prepare-matching`: prepare and store the words matching compares
(reports/textmatch.py: normalised, segmented by underthesea) of every report and published
bulletin that has none stored, so that no process spends minutes on its first match. Run once
after an upgrade (a release that changes textnorm.TERMS_VERSION says so); without it the first
process to match prepares them itself, and stores them for the others."""

from django.utils.translation import gettext as _
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from chinhthong.config import terminal

out = terminal.console()
REPORTS_AT_ONCE = 200
VERSIONS_AT_ONCE = 50


def prepare_matching() -> None:
    """Prepare the matching terms of every report and published bulletin without them."""
    from chinhthong.reports import textmatch

    reports, versions = textmatch.missing_terms()
    if not reports and not versions:
        out.print(_("Every report and published bulletin has its matching terms."), markup=False)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=out) as progress:
        if reports:
            task = progress.add_task(_("Reports"), total=len(reports))
            for start in range(0, len(reports), REPORTS_AT_ONCE):
                chunk = reports[start : start + REPORTS_AT_ONCE]
                textmatch.prepare_reports(chunk)
                progress.advance(task, len(chunk))
        if versions:
            task = progress.add_task(_("Bulletins"), total=len(versions))
            for start in range(0, len(versions), VERSIONS_AT_ONCE):
                chunk = versions[start : start + VERSIONS_AT_ONCE]
                textmatch.prepare_versions(chunk)
                progress.advance(task, len(chunk))
    out.print(
        _("Matching terms prepared: %(reports)s reports, %(bulletins)s bulletins.")
        % {"reports": len(reports), "bulletins": len(versions)},
        markup=False,
    )
