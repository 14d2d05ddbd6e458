"""The `chinhthong` command: each app mounts its sub-commands; set-up and serving live here."""

import os
import signal
import subprocess
import sys

import typer
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
    from chinhthong.registry.cli import app as registry_app

    app.add_typer(registry_app, name="registry")
    app.add_typer(accounts_app, name="accounts")


@app.command()
def setup(
    admin_username: str = typer.Option("admin", help="Administrator created on first set-up."),
    static: bool = typer.Option(True, help="Collect static files for the HTTP server."),
) -> None:
    """Prepare a node: migrate, roles, signing key, default registry, administrator."""
    from django.conf import settings
    from django.core.management import call_command

    from chinhthong.accounts import services as accounts
    from chinhthong.registry import services as registry
    from chinhthong.registry import signing, snapshots

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    accounts.sync_roles()
    if signing.generate_key_file(settings.REGISTRY_SIGNING_KEY_FILE):
        console.print(f"Đã tạo khoá ký Ed25519: {settings.REGISTRY_SIGNING_KEY_FILE}")
    loaded = registry.load_default_registry()
    if loaded:
        console.print(f"Đã nạp danh mục mặc định: {loaded.counts().get('create', 0)} mục.")
    snapshots.build_snapshot()
    created = accounts.ensure_administrator(
        admin_username, os.environ.get("CHINHTHONG_ADMIN_PASSWORD", "")
    )
    if created and created.password:
        console.print(
            f"[bold]Quản trị viên[/bold] {created.username} — mật khẩu (chỉ hiện một lần): "
            f"[bold yellow]{created.password}[/bold yellow]"
        )
    elif created:
        console.print(
            f"Quản trị viên {created.username} đã được tạo với CHINHTHONG_ADMIN_PASSWORD."
        )
    if static:
        call_command("collectstatic", interactive=False, verbosity=0)
    console.print("Sẵn sàng. (Ready.)")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", envvar="HOST"),
    port: int = typer.Option(8000, envvar="PORT"),
    workers: int = typer.Option(2, envvar="WEB_CONCURRENCY", help="HTTP worker processes."),
    task_worker: bool = typer.Option(True, help="Also run a background task worker."),
) -> None:
    """Run the HTTP server (gunicorn) and a task worker until Ctrl-C."""
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
    console.print(f"Đang phục vụ tại http://{host}:{port}/ (Ctrl-C để dừng)")
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


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (migrate, createsuperuser, …)."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chinhthong manage", *ctx.args])


def main() -> None:
    _mount()
    app()
