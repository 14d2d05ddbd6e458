"""`chinhthong setup` gives a new installation its identity, and `chinhthong site` changes it,
as an operator runs them (child processes with their own database)."""

import pytest

from tests.portal import pictures
from tests.processes import app_environment, run


@pytest.fixture
def app_env(tmp_path, transactional_db):
    with app_environment(tmp_path / "var") as env:
        yield env


def test_setup_sets_the_defaults_once_and_the_command_line_changes_them(app_env, tmp_path):
    first = run(app_env, "setup", "--no-static")
    assert first.returncode == 0, first.stderr
    assert "Đã đặt nhận diện trang theo mặc định" in first.stdout
    shown = run(app_env, "site", "show").stdout
    assert "cơ quan vận hành (tiếng Việt): Sở Khoa học và Công nghệ tỉnh Quảng Ninh" in shown
    assert "cơ quan trong sổ đăng ký: so-khcn-quang-ninh" in shown

    emblem = tmp_path / "emblem.png"
    emblem.write_bytes(pictures.png())
    changed = run(app_env, "site", "set", "--phone", "0203 3835 444", "--emblem", str(emblem))
    assert changed.returncode == 0, changed.stderr
    again = run(app_env, "setup", "--no-static")
    assert again.returncode == 0 and "nhận diện trang" not in again.stdout
    shown = run(app_env, "site", "show").stdout
    assert "điện thoại: 0203 3835 444" in shown and "biểu trưng: image/png" in shown


def test_the_command_line_refuses_what_the_back_office_refuses(app_env, tmp_path):
    assert run(app_env, "setup", "--no-static").returncode == 0
    script = tmp_path / "emblem.svg"
    script.write_bytes(pictures.SVG)
    for args, message in (
        (["--emblem", str(script)], "Không nhận tệp SVG"),
        (["--email", "khong-phai-dia-chi"], "email"),
        (["--agency", "khong-co"], "khong-co"),
        (["--emblem", str(tmp_path / "missing.png")], "missing.png"),
    ):
        refused = run(app_env, "site", "set", "--phone", "999", *args)
        assert refused.returncode == 2, (args, refused.stderr)
        assert message in refused.stderr, (args, refused.stderr)
    assert "điện thoại: \n" in run(app_env, "site", "show").stdout  # nothing was kept
