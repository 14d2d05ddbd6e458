"""What the CLI writes to a terminal: control characters from data are shown, never obeyed,
and the CLI's own colours still work."""

import io
import json
import re

from rich.table import Table
from rich.text import Text

from chinhthong.config import terminal

# Clear the screen, retitle the window (OSC … BEL), a C1 CSI, DEL, NUL, bidi overrides.
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\x9b31m\x7f\x00\u202e\u2066\u200f\u061c"
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
STYLE = re.compile("\x1b\\[[0-9;]*m")  # what rich writes for a style


def rendered(*renderables, **options) -> str:
    output = io.StringIO()
    console = terminal.console(
        file=output, force_terminal=True, color_system="standard", width=100, **options
    )
    console.print(*renderables)
    return output.getvalue()


def test_every_control_character_is_shown_visibly():
    shown = terminal.one_line(HOSTILE)
    assert OBEYED.search(shown) is None
    assert shown == "␛[2J␛]0;pwned␇\\x9b31m␡␀\\u202e\\u2066\\u200f\\u061c"


def test_lines_the_cli_lays_out_survive_but_not_in_a_value():
    assert terminal.visible("a\tb\nc\x1b") == "a\tb\nc␛"
    assert terminal.one_line("a\tb\nc\r") == "a␉b␊c␍"


def test_the_console_shows_data_and_keeps_its_own_colours():
    output = rendered(f"[bold red]IMPERSONATION[/] {HOSTILE}")
    assert "\x1b[1;31mIMPERSONATION" in output  # the CLI's colour is still written
    plain = STYLE.sub("", output)
    assert OBEYED.search(plain) is None
    assert "␛[2J" in plain and "\\u202e" in plain


def test_text_and_tables_built_elsewhere_are_shown_too():
    table = Table(title=f"T {HOSTILE}")
    table.add_column("name")
    table.add_row(f"x {HOSTILE}")
    output = rendered(Text(f"raw {HOSTILE}", style="green"), table)
    plain = STYLE.sub("", output)
    assert OBEYED.search(plain) is None
    assert plain.count("␛[2J") == 3


def test_json_keeps_the_value_and_escapes_what_a_terminal_would_obey():
    data = {"input": f"https://evil.top/{HOSTILE}", "n": "Quảng Ninh"}
    line = terminal.json_line(data)
    assert OBEYED.search(line) is None
    assert "Quảng Ninh" in line  # readable Vietnamese, not \u escapes
    assert json.loads(line) == data
