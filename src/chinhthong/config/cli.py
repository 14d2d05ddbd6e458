"""The `chinhthong` command: each app mounts its sub-commands; set-up and serving live here."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import typer
from django.utils.translation import gettext as _
from rich.console import Console

console = Console()
app = typer.Typer(
    help="chinhthong — kênh thông tin chính thống (official information channels).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _start() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhthong.config.settings")
    import django
    from django.conf import settings
    from django.utils import translation

    django.setup()
    translation.activate(os.environ.get("CHINHTHONG_LANGUAGE", settings.LANGUAGE_CODE))


def _mount() -> None:
    from chinhthong.accounts.cli import app as accounts_app
    from chinhthong.checks import cli as checks_cli
    from chinhthong.registry.cli import app as registry_app

    app.add_typer(registry_app, name="registry")
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(checks_cli.blocklist_app, name="blocklist")
    app.add_typer(checks_cli.apikey_app, name="apikey")
    app.add_typer(checks_cli.knownsite_app, name="knownsite")
    app.command("check")(checks_cli.check)
    app.command("verify-eval")(checks_cli.verify_eval)


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
            % {"path": key_file}
        )
        raise typer.Exit(2)
    _create_data_directories(settings)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    accounts.sync_roles()
    if signing.generate_key_file(key_file):
        console.print(_("Created the Ed25519 signing key: %(path)s") % {"path": key_file})
    loaded = registry.load_default_registry()
    if loaded:
        console.print(
            _("Loaded the default registry: %(count)s entries.")
            % {"count": loaded.counts().get("create", 0)}
        )
    snapshots.build_snapshot()
    created = accounts.ensure_administrator(admin_username, envsecret("CHINHTHONG_ADMIN_PASSWORD"))
    if created and created.password:
        console.print(
            _("Administrator %(user)s — password (shown only this once): %(password)s")
            % {
                "user": created.username,
                "password": f"[bold yellow]{created.password}[/bold yellow]",
            }
        )
    elif created:
        console.print(
            _("Administrator %(user)s created with CHINHTHONG_ADMIN_PASSWORD.")
            % {"user": created.username}
        )
    if static:
        call_command("collectstatic", interactive=False, verbosity=0)
    console.print(_("Ready."))


def _create_data_directories(settings) -> None:
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", envvar="HOST"),
    port: int = typer.Option(8000, envvar="PORT"),
    workers: int = typer.Option(2, envvar="WEB_CONCURRENCY", help="HTTP worker processes."),
    task_worker: bool = typer.Option(True, help="Also run a background task worker."),
) -> None:
    """Run the HTTP server (gunicorn), a task worker and the scheduler until Ctrl-C."""
    from django.conf import settings

    commands = [
        [
            sys.executable,
            "-m",
            "gunicorn",
            "chinhthong.config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
    ]
    if task_worker:
        commands.append(worker_command(settings.TASK_BACKEND))
        commands.append([sys.executable, "-m", "chinhthong", "schedule"])
    console.print(
        _("Serving at http://%(host)s:%(port)s/ (Ctrl-C to stop)") % {"host": host, "port": port}
    )
    raise typer.Exit(_supervise(commands))


def worker_command(backend: str) -> list[str]:
    manage = [sys.executable, "-m", "django"]
    if backend == "rq":
        return [*manage, "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    return [*manage, "db_worker", "--queue-name", "default", "--interval", "1"]


def _supervise(commands: list[list[str]]) -> int:
    """Start every command; when one ends or Ctrl-C comes, stop them all."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chinhthong.config.settings"}
    children = [subprocess.Popen(cmd, env=env) for cmd in commands]
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while any(child.poll() is None for child in children):
        for child in children:
            try:
                result = child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                continue
            if not stopping:
                code = result or 1
                stop()
    for child in children:
        child.wait()
    return code


@app.command()
def schedule() -> None:
    """Enqueue periodic tasks (blocklist feeds, expiry) until stopped; run one per installation."""
    from chinhthong.config.schedule import run_forever

    run_forever()


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (migrate, createsuperuser, …)."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chinhthong manage", *ctx.args])


def main() -> None:
    _mount()
    app()
