"""`chinhthong accounts create-user` as an administrator runs it: what can be refused is refused
before the password is asked for, in the user's language, with exit status 2 and no
traceback."""

import pytest
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from typer.testing import CliRunner

from chinhthong.accounts import roles
from chinhthong.config import cli
from tests.conftest import PASSWORD
from tests.processes import app_environment, run

cli._mount()
runner = CliRunner()

TWICE = f"{PASSWORD}\n{PASSWORD}\n"


def create_user(*args: str, input: str = TWICE):
    return runner.invoke(cli.app, ["accounts", "create-user", *args], input=input)


def asked_for_a_password(output: str) -> bool:
    return "Password" in output or gettext("Password") in output


def taken(name: str) -> str:
    return gettext("There is already a user named “%(user)s”.") % {"user": name}


def test_a_taken_name_is_refused_before_the_password_is_asked(editor):
    result = create_user(editor.username, "--role", roles.STAFF)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # not an IntegrityError
    assert taken(editor.username) in result.output
    assert not asked_for_a_password(result.output)
    assert not editor.groups.filter(name=roles.STAFF).exists()


def test_an_unknown_role_is_refused_before_the_password_is_asked(db):
    result = create_user("canbo-moi", "--role", "superhero")
    assert result.exit_code == 2, result.output
    assert gettext("There is no role “%(role)s”.") % {"role": "superhero"} in result.output
    assert not asked_for_a_password(result.output)
    assert not get_user_model().objects.filter(username="canbo-moi").exists()


@pytest.mark.parametrize("name", ["có dấu cách", "x" * 151, ""])
def test_a_name_that_cannot_be_a_username_is_refused_before_the_password(db, name):
    result = create_user(name, "--role", roles.STAFF)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert not asked_for_a_password(result.output)
    assert not get_user_model().objects.exists()


def test_the_password_is_asked_twice_then_the_user_is_created(db):
    result = create_user("bientap-moi", "--role", roles.EDITOR)
    assert result.exit_code == 0, result.output
    assert asked_for_a_password(result.output)
    user = get_user_model().objects.get(username="bientap-moi")
    assert user.check_password(PASSWORD) and user.groups.filter(name=roles.EDITOR).exists()


def test_a_weak_password_is_refused_with_every_reason_in_vietnamese(db):
    result = create_user("bientap-moi", "--role", roles.EDITOR, "--password", "123")
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in said
    assert "Mật khẩu này hoàn toàn là số." in said
    assert "too short" not in said
    assert not get_user_model().objects.filter(username="bientap-moi").exists()


def test_two_different_passwords_create_nothing(db):
    result = create_user(
        "bientap-moi", "--role", roles.EDITOR, input=f"{PASSWORD}\nkhac-{PASSWORD}\n"
    )
    assert result.exit_code == 2, result.output
    assert not get_user_model().objects.filter(username="bientap-moi").exists()


def test_the_real_command_refuses_a_taken_name_without_a_traceback(tmp_path, transactional_db):
    with app_environment(tmp_path / "var") as env:
        assert run(env, "setup", "--no-static").returncode == 0  # creates "admin"
        result = run(env, "accounts", "create-user", "admin", "--role", roles.EDITOR, input=TWICE)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert taken("admin") in result.stdout
    assert not asked_for_a_password(result.stdout + result.stderr)
