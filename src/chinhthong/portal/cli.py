"""`chinhthong site …`: the site's identity (operating agency, contacts, footer, images) from
the command line, for deployments set up by script. The back office edits the same record."""

from pathlib import Path
from typing import NoReturn

import typer
from django.utils.translation import gettext as _

from chinhthong.config import terminal
from chinhthong.config.terminal import one_line

app = typer.Typer(help="Nhận diện trang (the site's identity).", no_args_is_help=True)
out = terminal.console()
err = terminal.console(stderr=True)


@app.command("show")
def show() -> None:
    """Print the site's identity."""
    from chinhthong.portal import services

    found = services.identity()
    for name in services.TEXT_FIELDS:
        label = str(found._meta.get_field(name).verbose_name)
        out.print(f"{label}: {one_line(getattr(found, name))}", markup=False)
    out.print(f"{_('agency in the registry')}: {found.agency.code if found.agency else ''}")
    for kind in ("emblem", "favicon"):
        label = str(found._meta.get_field(kind).verbose_name)
        stored = getattr(found, f"{kind}_type")
        out.print(f"{label}: {stored or '—'}", markup=False)


@app.command("set")
def set_(
    site_name: str | None = typer.Option(None, help="Site name (Vietnamese)."),
    site_name_en: str | None = typer.Option(None, help="Site name (English)."),
    name: str | None = typer.Option(None, help="Operating agency (Vietnamese)."),
    name_en: str | None = typer.Option(None, help="Operating agency (English)."),
    agency: str | None = typer.Option(None, help="Code of the agency in the registry."),
    address: str | None = typer.Option(None),
    phone: str | None = typer.Option(None),
    email: str | None = typer.Option(None),
    website: str | None = typer.Option(None),
    hours: str | None = typer.Option(None, help="Working hours."),
    legal_line: str | None = typer.Option(None, help="The footer's legal line."),
    emblem: Path | None = typer.Option(None, help="Emblem image: PNG, JPEG, WebP or GIF."),
    favicon: Path | None = typer.Option(None, help="Site icon: PNG or ICO."),
) -> None:
    """Change the given fields of the site's identity (an empty value clears one)."""
    from django.core.exceptions import ValidationError

    from chinhthong.portal import images, services
    from chinhthong.registry.models import Agency

    given = {
        "site_name": site_name,
        "site_name_en": site_name_en,
        "name": name,
        "name_en": name_en,
        "address": address,
        "phone": phone,
        "email": email,
        "website": website,
        "hours": hours,
        "legal_line": legal_line,
    }
    values = {key: value for key, value in given.items() if value is not None}
    files = {images.EMBLEM: _read(emblem), images.FAVICON: _read(favicon)}
    pictures = {kind: data for kind, data in files.items() if data is not None}
    try:
        services.update_identity(
            reason=_("Changed with chinhthong site set"),
            agency_code=agency,
            pictures=pictures,
            **values,
        )
    except images.ImageRejected as exc:
        _refuse(str(exc))
    except Agency.DoesNotExist:
        _refuse(_("There is no agency with the code “%(code)s”.") % {"code": one_line(agency)})
    except ValidationError as exc:
        _refuse(" ".join(f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items()))
    out.print(_("The site's identity is saved."))


def _read(path: Path | None) -> bytes | None:
    """At most one byte more than any image may hold: a larger file is refused by its check."""
    if path is None:
        return None
    from chinhthong.portal import images

    try:
        with path.open("rb") as stream:
            return stream.read(max(images.MAX_BYTES.values()) + 1)
    except OSError as exc:
        _refuse(
            _("Cannot read the file %(file)s: %(error)s")
            % {"file": one_line(path), "error": one_line(exc.strerror)}
        )


def _refuse(message: str) -> NoReturn:
    err.print(one_line(message), markup=False)
    raise typer.Exit(2)
