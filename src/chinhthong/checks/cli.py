"""`chinhthong check`, `chinhthong verify-eval` and `chinhthong blocklist …`."""

import os
import sys
from pathlib import Path

import typer
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from rich.markup import escape

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line
from chinhthong.verify.results import Verdict

out = terminal.console(highlight=False, soft_wrap=True)
err = terminal.console(stderr=True, highlight=False, soft_wrap=True)
blocklist_app = typer.Typer(help="Danh sách chặn (blocklists).", no_args_is_help=True)

COLOURS = {
    "official": "green",
    "impersonation": "red",
    "malicious": "red",
    "suspicious": "yellow",
    "unknown": "cyan",
}


def check(
    inputs: list[str] = typer.Argument(
        None, help="Links, domains, addresses, Facebook links; - reads one per line."
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per input per line."),
    eml: bool = typer.Option(
        False, "--eml", help="The inputs are .eml files (- for standard input)."
    ),
    fail_on: str = typer.Option(
        "",
        "--fail-on",
        help="Exit 1 when any of these verdicts occurs, e.g. impersonation,malicious.",
    ),
) -> None:
    """Is this official? Check links, domains, sender addresses or whole emails."""
    from chinhthong.checks import services

    failing = _verdicts(fail_on)
    items = _inputs(inputs, eml)
    worst_hit = False
    for number, (label, payload) in enumerate(items):
        try:
            result = services.check_email(payload) if eml else services.check(payload)
        except services.InputRejected as exc:
            # An empty input has no name to put before the reason.
            said = f"{one_line(label)}: {one_line(exc)}" if label.strip() else one_line(exc)
            err.print(said, markup=False)
            raise typer.Exit(2) from exc
        if number == 0:
            registry_notice()
        worst_hit |= str(result.verdict) in failing
        if as_json:
            data = services.as_dict(result)
            data["input"] = label if eml else data["input"]
            terminal.write(terminal.json_line(data))
        else:
            _print(label, result, services.render_reason)
    raise typer.Exit(1 if worst_hit else 0)


def registry_notice() -> None:
    """When the engine did not answer from the installation's registry, say on standard error
    which registry it used and why: in the reader's language, then in English."""
    from django.utils import translation

    from chinhthong.checks import engines

    source = engines.source()
    if source is None or not source.packaged:
        return
    shown = _notice(source)
    with translation.override("en"):
        english = _notice(source)
    for line in (shown, english) if english != shown else (shown,):
        err.print(line, markup=False)


def _notice(source) -> str:
    from chinhthong.checks import engines
    from chinhthong.config import installation
    from chinhthong.config.settings import INSTALLATION as where

    folder = one_line(where.var_dir)
    if source.kind == engines.NO_SNAPSHOT:
        return " ".join(
            (
                _(
                    "The installation in %(folder)s has no registry snapshot yet "
                    "(chinhthong registry snapshot)."
                )
                % {"folder": folder},
                _(
                    "Checked against the registry packaged with chinhthong, with the "
                    "installation's blocklist and known sites."
                ),
            )
        )
    if source.kind == engines.DATABASE_ERROR:
        why = _("The installation's database cannot be read (%(error)s).") % {
            "error": one_line(source.error)
        }
    elif where.problem is not None:  # a record that cannot be used (config/installation.py)
        why = one_line(where.problem.said(_))
    elif where.origin == installation.FROM_CURRENT_FOLDER and not where.var_dir.is_dir():
        why = _(
            "No chinhthong installation found: CHINHTHONG_VAR_DIR is not set, “chinhthong "
            "setup” has recorded none, and the current folder has no var folder."
        )
    elif where.database == "DATABASE_URL" and not os.environ.get("DATABASE_URL"):
        why = _(
            "The installation recorded in %(file)s keeps its data in the database that "
            "DATABASE_URL names, and DATABASE_URL is not set here."
        ) % {"file": one_line(where.record_file)}
    else:
        origin = {
            installation.FROM_ENVIRONMENT: _("from CHINHTHONG_VAR_DIR"),
            installation.FROM_RECORD: _("recorded in %(file)s")
            % {"file": one_line(where.record_file)},
        }.get(where.origin, _("in the current folder"))
        why = _("No database at %(database)s (installation folder %(folder)s, %(origin)s).") % {
            "database": one_line(source.database),
            "folder": folder,
            "origin": origin,
        }
    return " ".join(
        (
            why,
            _(
                "Checked against the registry packaged with chinhthong, without blocklist or "
                "known sites."
            ),
            _(
                "Set CHINHTHONG_VAR_DIR (and DATABASE_URL if the installation uses it) as the "
                "installation does, or set one up with “chinhthong setup”."
            ),
        )
    )


def _verdicts(text: str) -> set[str]:
    wanted = {v.strip() for v in text.split(",") if v.strip()}
    unknown = wanted - {v.value for v in Verdict}
    if unknown:
        err.print(
            _("Unknown verdict(s) for --fail-on: %(names)s")
            % {"names": one_line(", ".join(sorted(unknown)))},
            markup=False,
        )
        raise typer.Exit(2)
    return wanted


def _inputs(inputs: list[str] | None, eml: bool) -> list[tuple[str, object]]:
    if not inputs:
        err.print(_("Give at least one input, or - to read standard input."))
        raise typer.Exit(2)
    items: list[tuple[str, object]] = []
    for item in inputs:
        if eml:
            try:
                data = sys.stdin.buffer.read() if item == "-" else Path(item).read_bytes()
            except OSError as exc:
                terminal.file_error(item, exc)
                raise typer.Exit(2) from exc
            items.append((item, data))
        elif item == "-":
            items.extend((line.strip(), line.strip()) for line in sys.stdin if line.strip())
        else:
            items.append((item, item))
    return items


def _print(label: str, result, render) -> None:
    verdict = str(result.verdict)
    from chinhthong.checks.services import VERDICT_LABELS

    # The label in the reader's language, the value --fail-on and --json use beside it.
    heading = f"{str(VERDICT_LABELS[verdict]).upper()} ({verdict})"
    out.print(f"[bold {COLOURS[verdict]}]{heading}[/] {_shown(label)}")
    target = result.channel or result.lookalike_of
    if target is not None:
        relation = _("official channel") if result.channel else _("imitates")
        where = f" ({_shown(target.identifier)})" if target.identifier else ""
        out.print(f"{'':15}{relation}: {_shown(target.name)}{where}")
    for item in result.reasons:
        out.print(f"{'':15}• {_shown(render(item))}")
    for part in result.parts:
        shown = VERDICT_LABELS[str(part.verdict)]
        out.print(f"{'':15}[{COLOURS[str(part.verdict)]}]{shown}[/] {_shown(part.input[:120])}")


def _shown(value: object) -> str:
    """A value from data inside markup: on one line, its control characters and brackets shown."""
    return escape(one_line(value))


def verify_eval(
    file: Path = typer.Argument(..., help="Labelled cases, one JSON object per line."),
    blocklist: Path | None = typer.Option(
        None, "--blocklist", help="A plain blocklist to use instead of the database's."
    ),
    show_failures: bool = typer.Option(True, help="List the cases answered wrongly."),
) -> None:
    """Accuracy of the engine on a labelled corpus, per verdict, with a confusion table."""
    from chinhthong.checks.engines import current_engine
    from chinhthong.verify import feeds
    from chinhthong.verify.blocklist import Blocklist
    from chinhthong.verify.engine import Engine
    from chinhthong.verify.evaluation import evaluate, load_cases

    try:
        cases = load_cases(file)
        engine = current_engine()
        registry_notice()
        if blocklist:
            entries = feeds.read(blocklist.read_bytes(), "plain")
            engine = Engine(
                engine.index,
                Blocklist.from_entries(
                    (e.kind, e.value, blocklist.name) for e in entries if isinstance(e, feeds.Entry)
                ),
            )
    except (OSError, ValueError) as exc:
        err.print(_("Cannot read the corpus: %(error)s") % {"error": one_line(exc)}, markup=False)
        raise typer.Exit(2) from exc
    report = evaluate(engine, cases)
    out.print(report.render(), markup=False)
    if show_failures:
        for outcome in report.failures:
            case = outcome.case
            out.print(
                f"line {case.line}: {one_line(repr(case.input))} expected {case.expected} "
                f"{one_line(case.lookalike_of or case.channel or '')}, got {outcome.verdict} "
                f"{one_line(outcome.lookalike_of or outcome.channel or '')}",
                markup=False,
            )


@blocklist_app.command("import")
def blocklist_import(
    file: Path = typer.Argument(..., help="The feed file; - for standard input."),
    fmt: str = typer.Option(..., "--format", help="phishtank, openphish, urlhaus or plain."),
    source: str = typer.Option("", help="Source name (default: the format)."),
    replace: bool = typer.Option(
        False, help="The file is the source's whole list: drop entries not in it."
    ),
    skip_invalid: bool = typer.Option(False, help="Import the usable lines even if some are not."),
) -> None:
    """Import a blocklist file; by default any unusable line rejects the whole file."""
    from chinhthong.checks import blocklists
    from chinhthong.verify.feeds import FORMATS

    if fmt not in FORMATS:
        err.print(
            _("Unknown format %(format)s; use one of %(formats)s.")
            % {"format": one_line(fmt), "formats": ", ".join(FORMATS)},
            markup=False,
        )
        raise typer.Exit(2)
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        summary = blocklists.import_file(
            data, fmt, source or fmt, replace=replace, skip_invalid=skip_invalid
        )
    except OSError as exc:
        terminal.file_error(file, exc)
        raise typer.Exit(2) from exc
    except blocklists.BlocklistError as exc:
        err.print(one_line(exc), markup=False)
        raise typer.Exit(1) from exc
    out.print(
        _(
            "%(source)s: %(added)s added, %(kept)s already there, %(removed)s removed, "
            "%(skipped)s lines skipped."
        )
        % {
            "source": one_line(summary.source),
            "added": summary.added,
            "kept": summary.kept,
            "removed": summary.removed,
            "skipped": len(summary.skipped),
        },
        markup=False,
    )


@blocklist_app.command("list")
def blocklist_list() -> None:
    """Sources with their entry counts and last fetch."""
    from django.db.models import Count

    from chinhthong.checks.models import BlocklistSource

    sources = list(BlocklistSource.objects.annotate(count=Count("entries")).order_by("name"))
    if not sources:
        out.print(_("No blocklist yet (chinhthong blocklist import, or add a feed)."))
        return
    # Plain columns, a row per line whatever its width: lists are read by scripts too.
    # Names taken out of the f-string: xgettext does not look inside one.
    names = (_("source"), _("format"), _("entries"), _("last fetched"), _("state"))
    out.print("{:20} {:10} {:>10}  {:16}  {}".format(*names), markup=False)
    for source in sources:
        fetched = source.last_fetched_at
        when = localtime(fetched).strftime("%d/%m/%Y %H:%M") if fetched else "—"
        count = f"{source.count:,}".replace(",", ".")  # Vietnamese groups thousands with dots
        state = one_line(source.last_error) if source.last_error else _("ok")
        out.print(
            f"{one_line(source.name):20} {one_line(source.format):10} {count:>10}  {when:16}  "
            f"{state}",
            markup=False,
        )


@blocklist_app.command("remove")
def blocklist_remove(
    value: str = typer.Argument(..., help="The link or domain to remove."),
    source: str = typer.Option("", help="Only from this source."),
) -> None:
    """Remove an entry (a false positive, a cleaned site)."""
    from chinhthong.checks import blocklists

    try:
        count = blocklists.remove(value, source or None)
    except blocklists.BlocklistError as exc:
        err.print(one_line(exc), markup=False)
        raise typer.Exit(2) from exc
    out.print(_("%(count)s entries removed.") % {"count": count})
    raise typer.Exit(0 if count else 1)


@blocklist_app.command("expire")
def blocklist_expire() -> None:
    """Delete entries past their expiry date."""
    from chinhthong.checks import blocklists

    out.print(_("%(count)s entries expired.") % {"count": blocklists.expire()})


@blocklist_app.command("add-feed")
def blocklist_add_feed(
    name: str = typer.Argument(...),
    url: str = typer.Argument(..., help="The feed's http(s) address."),
    fmt: str = typer.Option(..., "--format", help="phishtank, openphish, urlhaus or plain."),
    every: int = typer.Option(360, help="Minutes between fetches."),
    keep_days: int = typer.Option(30, help="Days an entry stays after it leaves the feed."),
) -> None:
    """Register a feed fetched on schedule by the worker."""
    from chinhthong.checks import blocklists

    try:
        blocklists.register_feed(name, url, fmt, every_minutes=every, keep_days=keep_days)
    except blocklists.BlocklistError as exc:
        err.print(one_line(exc), markup=False)
        raise typer.Exit(2) from exc
    out.print(_("Feed %(name)s registered.") % {"name": one_line(name)}, markup=False)


@blocklist_app.command("fetch")
def blocklist_fetch(
    name: str = typer.Argument("", help="One source; default: every source that is due."),
) -> None:
    """Fetch feeds now (the scheduler does this on its own)."""
    from chinhthong.checks import blocklists
    from chinhthong.checks.models import BlocklistSource

    sources = BlocklistSource.objects.filter(name=name) if name else blocklists.due_sources()
    failed = False
    for source in sources:
        try:
            summary = blocklists.fetch(source)
            out.print(
                f"{one_line(source.name)}: +{summary.added} ={summary.kept} -{summary.removed}",
                markup=False,
            )
        except blocklists.BlocklistError as exc:
            failed = True
            err.print(f"{one_line(source.name)}: {one_line(exc)}", markup=False)
    raise typer.Exit(1 if failed else 0)


knownsite_app = typer.Typer(
    help="Trang hợp pháp đã biết, không giả mạo kênh nào (known legitimate sites).",
    no_args_is_help=True,
)


@knownsite_app.command("add")
def knownsite_add(
    domain: str = typer.Argument(..., help="The site's domain, e.g. laodong.vn."),
    name: str = typer.Option(..., help="Whose site it is, e.g. 'Báo Lao Động'."),
    note: str = typer.Option("", help="Why it is known, for editors."),
) -> None:
    """Mark a site as known not to imitate any official channel (a wrong look-alike verdict)."""
    from chinhthong.checks import known_sites

    try:
        site = known_sites.add(domain, name, note)
    except known_sites.KnownSiteRejected as exc:
        err.print(one_line(exc), markup=False)
        raise typer.Exit(2) from exc
    out.print(
        _("%(domain)s noted as the site of %(name)s.")
        % {"domain": one_line(site.domain), "name": one_line(site.name)},
        markup=False,
    )


@knownsite_app.command("list")
def knownsite_list() -> None:
    """Known legitimate sites."""
    from chinhthong.checks.models import KnownSite

    sites = list(KnownSite.objects.all())
    if not sites:
        out.print(_("No known site yet (chinhthong knownsite add)."))
        return
    domain, whose = _("domain"), _("whose site")
    out.print(f"{domain:40} {whose}", markup=False)
    for site in sites:
        out.print(f"{one_line(site.domain):40} {one_line(site.name)}", markup=False)


@knownsite_app.command("remove")
def knownsite_remove(domain: str = typer.Argument(...)) -> None:
    """Forget a known site: its name is compared with official names again."""
    from chinhthong.checks import known_sites

    if not known_sites.remove(domain):
        err.print(_("%(domain)s is not a known site.") % {"domain": one_line(domain)}, markup=False)
        raise typer.Exit(1)
    out.print(_("%(domain)s removed.") % {"domain": one_line(domain)}, markup=False)
