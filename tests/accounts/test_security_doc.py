"""docs/security.md says what each role may do: its table is the roles table of the code."""

from pathlib import Path

from chinhthong.accounts import roles

DOC = Path(__file__).resolve().parents[2] / "docs/security.md"
ACTIONS = {"view", "add", "change", "delete"}


def _table() -> tuple[list[str], list[list[str]]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "roles table:" in line) + 1
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    header, _rule, *body = rows
    return header[1:], body


def _documented() -> tuple[dict[str, set], set[str]]:
    roles_in_doc, body = _table()
    granted: dict[str, set] = {role: set() for role in roles_in_doc}
    back_office = set()
    for label, *cells in body:
        for role, cell in zip(roles_in_doc, cells, strict=True):
            if cell == "—":
                continue
            if label == "back office":
                assert cell == "✓"
                back_office.add(role)
                continue
            app, name = label.strip("`").split(".")
            if cell == "✓":
                granted[role].add((app, name))
                continue
            actions = {a.strip() for a in cell.split(",")}
            assert actions <= ACTIONS, cell
            granted[role] |= {(app, f"{action}_{name}") for action in actions}
    return granted, back_office


def test_the_documented_roles_are_the_roles_of_the_code():
    granted, back_office = _documented()
    assert list(granted) == list(roles.PERMISSIONS)
    for role, permissions in roles.PERMISSIONS.items():
        assert granted[role] == set(permissions), role
    assert back_office == roles.BACK_OFFICE
