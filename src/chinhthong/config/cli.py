"""The `chinhthong` command: each app mounts its sub-commands; set-up and serving live here."""

import ipaddress
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer
from django.utils.translation import gettext as _
from rich.markup import escape

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

console = terminal.console()
app = typer.Typer(
    help="chinhthong — kênh thông tin chính thống (official information channels).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


# Commands that only check: Django is set up for them without its applications, so that one
# check starts fast (config/check_setup.py).
CHECK_ONLY = {"check"}


@app.callback()
def _start(ctx: typer.Context) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhthong.config.settings")
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.utils import translation

    from chinhthong.config import installation

    try:
        if ctx.invoked_subcommand in CHECK_ONLY and not settings.configured:
            from chinhthong.config.check_setup import setup_for_checks

            setup_for_checks()
        else:
            django.setup()
    except ImproperlyConfigured as exc:  # a wrong setting: say which, without a traceback
        terminal.console(stderr=True).print(terminal.one_line(exc), markup=False)
        raise typer.Exit(2) from exc
    except installation.Unusable as exc:  # its folder or secret key: say which and what to do
        # The settings' default language: they are what could not be read.
        _say_on_stderr(exc.problem, os.environ.get("CHINHTHONG_LANGUAGE", "vi"))
        raise typer.Exit(2) from exc
    language = os.environ.get("CHINHTHONG_LANGUAGE", settings.LANGUAGE_CODE)
    translation.activate(language)
    found = getattr(settings, "INSTALLATION", None)  # a check says it with its registry
    if found is not None and found.problem is not None:
        _say_on_stderr(found.problem, language)


def _say_on_stderr(problem, language: str) -> None:
    """What is wrong with the installation, in the reader's language, then in English (as a
    check says which registry it used); without Django, which may not be set up."""
    from chinhthong.config import installation

    shown = problem.render(installation.translator(language))
    english = problem.render()
    for line in (shown, english) if english != shown else (shown,):
        terminal.console(stderr=True).print(one_line(line), markup=False, soft_wrap=True)


def _mount() -> None:
    from chinhthong.accounts.cli import app as accounts_app
    from chinhthong.bulletins.cli import app as bulletins_app
    from chinhthong.checks import cli as checks_cli
    from chinhthong.clients import cli as clients_cli
    from chinhthong.delivery.cli import app as delivery_app
    from chinhthong.gateway import milter_cli
    from chinhthong.gateway.cli import app as gateway_app
    from chinhthong.portal.cli import app as site_app
    from chinhthong.reach.cli import staff_app, units_app
    from chinhthong.registry.cli import app as registry_app
    from chinhthong.reports.cli import app as reports_app

    app.add_typer(registry_app, name="registry")
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(checks_cli.blocklist_app, name="blocklist")
    app.add_typer(clients_cli.apikey_app, name="apikey")
    app.add_typer(checks_cli.knownsite_app, name="knownsite")
    app.add_typer(site_app, name="site")
    app.add_typer(units_app, name="units")
    app.add_typer(staff_app, name="staff")
    app.add_typer(bulletins_app, name="bulletins")
    app.add_typer(delivery_app, name="delivery")
    app.add_typer(reports_app, name="reports")
    app.add_typer(gateway_app, name="gateway")
    app.command("check")(checks_cli.check)
    app.command("verify-eval")(checks_cli.verify_eval)
    app.command("milter")(milter_cli.milter)


@app.command()
def setup(
    admin_username: str = typer.Option("admin", help="Administrator created on first set-up."),
    static: bool = typer.Option(True, help="Collect static files for the HTTP server."),
) -> None:
    """Prepare a node: migrate, roles, signing key, default registry, administrator."""
    from django.conf import settings
    from django.core.management import call_command

    from chinhthong.accounts import services as accounts
    from chinhthong.config.env import envsecret
    from chinhthong.portal import services as portal
    from chinhthong.registry import services as registry
    from chinhthong.registry import signing, snapshots

    key_file = settings.REGISTRY_SIGNING_KEY_FILE
    if settings.PRODUCTION and not key_file.exists():
        # Every signing node must hold the same key: never mint a new one by accident.
        console.print(
            _(
                "No signing key at %(path)s. Create it once with `chinhthong registry keygen` "
                "and give every node that signs the same file."
            )
            % {"path": one_line(key_file)},
            markup=False,
        )
        raise typer.Exit(2)
    _create_data_directories(settings)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    accounts.sync_roles()
    if signing.generate_key_file(key_file):
        console.print(
            _("Created the Ed25519 signing key: %(path)s") % {"path": one_line(key_file)},
            markup=False,
        )
    _vapid_key(settings)
    loaded = registry.load_default_registry()
    if loaded:
        console.print(
            _("Loaded the default registry: %(count)s entries.")
            % {"count": loaded.counts().get("create", 0)}
        )
    snapshots.build_snapshot()
    if portal.load_default_identity():
        console.print(_("Set the site's identity to the defaults; change it in the back office."))
    created = accounts.ensure_administrator(admin_username, envsecret("CHINHTHONG_ADMIN_PASSWORD"))
    if created and created.password:
        console.print(
            _("Administrator %(user)s — password (shown only this once): %(password)s")
            % {
                "user": escape(one_line(created.username)),
                "password": f"[bold yellow]{escape(created.password)}[/bold yellow]",
            }
        )
    elif created:
        console.print(
            _("Administrator %(user)s created with CHINHTHONG_ADMIN_PASSWORD.")
            % {"user": one_line(created.username)},
            markup=False,
        )
    if static:
        call_command("collectstatic", interactive=False, verbosity=0)
    console.print(_("Ready."))


def _vapid_key(settings) -> None:
    """The web push key pair (delivery/vapid.py). In production, as for the signing key, every
    node must hold the same file: it is made only on request there."""
    from chinhthong.delivery import vapid

    path = settings.VAPID_KEY_FILE
    if settings.PRODUCTION and not path.exists():
        console.print(
            _(
                "No web push key at %(path)s: web push stays off. Create it once with "
                "`chinhthong delivery vapid-keygen` and give every node the same file."
            )
            % {"path": one_line(path)},
            markup=False,
        )
    elif vapid.generate_key_file(path):
        console.print(
            _("Created the web push (VAPID) key: %(path)s") % {"path": one_line(path)},
            markup=False,
        )


def _create_data_directories(settings) -> None:
    """The var folder (the only command that creates it), its secret key and the SQLite
    database's folder; then the folder is recorded for commands run from other folders."""
    from chinhthong.config import installation
    from chinhthong.config.env import envsecret

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not envsecret("CHINHTHONG_SECRET_KEY"):
        installation.secret_key(settings.VAR_DIR)
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    kind = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "sqlite"
    try:
        record = installation.write_record(settings.VAR_DIR, kind)
    except OSError as exc:
        terminal.console(stderr=True).print(
            _(
                "Could not record this installation (%(error)s): commands run from other "
                "folders need CHINHTHONG_VAR_DIR=%(folder)s."
            )
            % {"error": one_line(exc), "folder": one_line(settings.VAR_DIR)},
            markup=False,
            soft_wrap=True,  # a path broken over lines cannot be copied
        )
        return
    console.print(
        _("Commands run from any folder will use %(folder)s (recorded in %(file)s).")
        % {"folder": one_line(settings.VAR_DIR), "file": one_line(record)},
        markup=False,
        soft_wrap=True,
    )


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", envvar="HOST"),
    port: int = typer.Option(8000, envvar="PORT"),
    workers: int = typer.Option(2, envvar="WEB_CONCURRENCY", help="HTTP worker processes."),
    task_worker: bool = typer.Option(True, help="Also run a background task worker."),
) -> None:
    """Run the HTTP server (granian), a task worker and the scheduler until Ctrl-C."""
    from django.conf import settings

    # Every process on the same installation, whatever another set-up records meanwhile.
    os.environ["CHINHTHONG_VAR_DIR"] = str(settings.VAR_DIR)
    if not os.environ.get("CHINHTHONG_PUBLIC_URL"):  # links in messages lead here
        os.environ["CHINHTHONG_PUBLIC_URL"] = f"http://{_reachable(host)}:{port}"
    commands = [web_command(host, port, workers)]
    if task_worker:
        commands.append(worker_command(settings.TASK_BACKEND))
        commands.append([sys.executable, "-m", "chinhthong", "schedule"])
    console.print(
        _("Serving at http://%(host)s:%(port)s/ (Ctrl-C to stop)")
        % {"host": one_line(host), "port": port},
        markup=False,
    )
    console.print(
        _("Links in messages and feeds lead to %(url)s (CHINHTHONG_PUBLIC_URL).")
        % {"url": one_line(os.environ["CHINHTHONG_PUBLIC_URL"])},
        markup=False,
    )
    raise typer.Exit(_supervise(commands))


def _reachable(host: str) -> str:
    """The address a browser on this machine reaches a server listening on ``host`` at."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "127.0.0.1"  # a name
    if address.is_unspecified:  # every interface
        return "127.0.0.1"
    return f"[{address}]" if address.version == 6 else str(address)


# How long granian waits for a request's head; bodies are bounded in config/asgi.py.
HEAD_SECONDS = 10


def web_command(host: str, port: int, workers: int) -> list[str]:
    """granian serving config/asgi.py: connections, slow ones included, are held by its event
    loop, and Django runs in each process's thread pool (CHINHTHONG_WEB_THREADS)."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "chinhthong.config.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-ws",
        "--http",
        "1",
        "--http1-header-read-timeout",
        str(HEAD_SECONDS * 1000),
        "--respawn-failed-workers",
        "--workers-kill-timeout",
        str(int(STOP_GRACE_SECONDS) - 5),
        "--access-log",
        "--log-level",
        os.environ.get("CHINHTHONG_LOG_LEVEL", "INFO").lower(),
    ]


def worker_command(backend: str) -> list[str]:
    manage = [sys.executable, "-m", "django"]
    if backend == "rq":
        return [*manage, "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    return [*manage, "db_worker", "--queue-name", "default", "--interval", "1"]


# How long `serve` gives its processes to stop after SIGTERM before it kills them, so that
# requests in progress can finish (granian is told to end its workers a little sooner).
STOP_GRACE_SECONDS = 30.0


def _supervise(commands: list[list[str]], grace: float = STOP_GRACE_SECONDS) -> int:
    """Start every command, each in a process group of its own; when one ends, or SIGINT or
    SIGTERM comes, stop them all: SIGTERM, then SIGKILL to the whole group of any still running
    after ``grace`` seconds (or at the next signal). 0 after a requested stop."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chinhthong.config.settings"}
    signals = [0]

    def count(*_args) -> None:
        signals[0] += 1

    # Installed before the children start, so that they start with the default dispositions.
    previous = {signum: signal.signal(signum, count) for signum in (signal.SIGINT, signal.SIGTERM)}
    children: list[subprocess.Popen] = []
    try:
        for command in commands:
            if signals[0]:
                break
            children.append(subprocess.Popen(command, env=env, process_group=0))
        code = _watch(children, lambda: signals[0] > 0)
    finally:
        stopping_at = signals[0]
        killed = _stop(children, grace, hurry=lambda: signals[0] > stopping_at)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return code or int(killed)


def _watch(children: list[subprocess.Popen], stop_requested) -> int:
    """Wait for a stop request (0) or for a child to end on its own (its status, at least 1)."""
    while not stop_requested():
        for child in children:
            status = child.poll()
            if status is not None:
                console.print(
                    _("%(command)s ended (status %(status)s); stopping the others.")
                    % {"command": one_line(_name(child)), "status": status},
                    markup=False,
                )
                return status or 1
        time.sleep(0.2)
    return 0


def _stop(children: list[subprocess.Popen], grace: float, hurry) -> bool:
    """SIGTERM to each running child; SIGKILL to the group of any still running after
    ``grace`` seconds or when hurried. True when one had to be killed."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(child.poll() is None for child in children):
        if hurry() or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    killed = False
    for child in children:
        if child.poll() is None:  # not reaped, so its group id is still its own
            killed = True
            console.print(
                _("%(command)s did not stop; it was killed.") % {"command": one_line(_name(child))},
                markup=False,
            )
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    return killed


def _name(child: subprocess.Popen) -> str:
    """The command without the interpreter's path: `-m granian …`, `-m chinhthong schedule`."""
    return " ".join(str(arg) for arg in child.args[1:4])


@app.command()
def schedule() -> None:
    """Enqueue periodic tasks (blocklist feeds, expiry) until stopped; run one per installation."""
    from chinhthong.config.schedule import run_until_signalled

    run_until_signalled()


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (migrate, createsuperuser, …)."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chinhthong manage", *ctx.args])


def main() -> None:
    from django.db.utils import OperationalError, ProgrammingError

    _mount()
    try:
        app()
    except (OperationalError, ProgrammingError) as exc:
        # Most often a node not set up yet, or a database server not reachable: say so plainly.
        terminal.console(stderr=True).print(
            _(
                "The database is not ready (%(error)s). Run “chinhthong setup” first, "
                "and check DATABASE_URL if one is set."
            )
            % {"error": one_line(exc)},
            markup=False,
            soft_wrap=True,
        )
        sys.exit(1)
