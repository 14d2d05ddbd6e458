"""Logging in by a one-time link sent by email, end to end through a real SMTP server on
loopback (aiosmtpd) that receives the message, whose link the test then follows."""

import datetime as dt
import re

import pytest
from django.test import Client, override_settings

from chinhthong.accounts.models import LoginLink
from chinhthong.reach import importers, organisation, staff_import
from chinhthong.reach.models import StaffMember
from tests.delivery.smtp_server import smtp_server

UNITS = "code,name,parent_code\nQN,Tỉnh Quảng Ninh,\nCP,Thành phố Cẩm Phả,QN\n"
ROSTER = (
    "name,unit,category,email,phone\n"
    "Nguyễn Văn An,CP,CB,an.nv@quangninh.gov.vn,0912345678\n"
    "Trần Thị Bình,CP,CC,binh@quangninh.gov.vn,\n"
    "Lê Văn Cường,QN,VC,,0913000111\n"
    "Phạm Thị Dung,CP,NLĐ,dung@quangninh.gov.vn,\n"
)
SENT = "Nếu địa chỉ này có trong danh sách cán bộ, một liên kết đăng nhập đã được gửi tới."
LINK = re.compile(r"http://[^\s]+/dang-nhap/lien-ket/[A-Za-z0-9_-]+/")


@pytest.fixture
def roster(db):
    importers.import_units(UNITS.encode(), "don-vi.csv")
    staff_import.import_staff(ROSTER.encode(), "can-bo.csv")


@pytest.fixture
def smtp():
    with smtp_server() as server:
        settings = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": server.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "PUBLIC_URL": "http://testserver",
        }
        with override_settings(**settings):
            yield server


def ask(client, email: str):
    return client.post("/dang-nhap/lien-ket/", {"email": email})


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_a_staff_member_logs_in_by_the_link_in_the_mail_once(roster, smtp, client):
    login_page = client.get("/dang-nhap/")
    assert 'href="/dang-nhap/lien-ket/"' in login_page.content.decode()
    assert "Đăng nhập bằng liên kết qua email" in text(login_page)
    response = ask(client, "AN.NV@quangninh.gov.vn")
    assert response.status_code == 200 and SENT in text(response)
    (mail,) = smtp.wait_for(1)
    assert mail.recipients == ["an.nv@quangninh.gov.vn"]
    assert mail.message["Subject"] == "Liên kết đăng nhập của bạn"
    body = mail.text()
    assert "chỉ dùng được một lần, trong vòng 15 phút" in body
    url = LINK.search(body).group().removeprefix("http://testserver")
    # Opening it only shows the button: a link scanner's GET spends nothing.
    page = client.get(url)
    assert page.status_code == 200 and "Đăng nhập" in text(page)
    assert client.get(url).status_code == 200
    logged_in = client.post(url)
    assert logged_in.status_code == 302 and logged_in["Location"] == "/cong-chuc/"
    an = StaffMember.objects.get(email="an.nv@quangninh.gov.vn")
    assert client.session["_auth_user_id"] == str(an.user.pk)
    # Once only: the same link, from another browser, logs no one in.
    other = Client()
    assert other.post(url).status_code == 410
    assert "_auth_user_id" not in other.session
    assert "Liên kết này không còn dùng được" in text(other.get(url))


def test_the_answer_is_the_same_for_an_address_not_on_a_roster(roster, smtp, client):
    for email in ("khong-co@quangninh.gov.vn", "an.nv@quangninh.gov.vn"):
        response = ask(client, email)
        assert response.status_code == 200 and SENT in text(response)
    messages = smtp.wait_for(1)
    assert [m.recipients for m in messages] == [["an.nv@quangninh.gov.vn"]]
    invalid = ask(client, "khong-phai-email")
    assert invalid.status_code == 200 and SENT not in text(invalid)


def test_people_who_left_get_no_link_and_their_links_stop_working(roster, smtp, client):
    ask(client, "binh@quangninh.gov.vn")
    (mail,) = smtp.wait_for(1)
    url = LINK.search(mail.text()).group().removeprefix("http://testserver")
    binh = StaffMember.objects.get(email="binh@quangninh.gov.vn")
    organisation.deactivate_staff(binh)
    assert client.post(url).status_code == 410
    assert "_auth_user_id" not in client.session
    smtp.clear()
    assert SENT in text(ask(client, "binh@quangninh.gov.vn"))
    assert not smtp.received


def test_an_expired_link_does_not_log_in(roster, smtp, client):
    ask(client, "an.nv@quangninh.gov.vn")
    (mail,) = smtp.wait_for(1)
    url = LINK.search(mail.text()).group().removeprefix("http://testserver")
    # Sixteen minutes later.
    link = LoginLink.objects.get()
    LoginLink.objects.filter(pk=link.pk).update(
        created_at=link.created_at - dt.timedelta(minutes=16),
        expires_at=link.expires_at - dt.timedelta(minutes=16),
    )
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410
    assert "_auth_user_id" not in client.session


def test_made_up_links_log_no_one_in(roster, client):
    for token in ("khong-hop-le", "x" * 500, LoginLink.__name__):
        assert client.get(f"/dang-nhap/lien-ket/{token}/").status_code == 410
        assert client.post(f"/dang-nhap/lien-ket/{token}/").status_code == 410
    assert "_auth_user_id" not in client.session


def test_asking_is_limited_per_address_and_per_client(roster, smtp):
    client = Client()
    for _ in range(5):
        assert SENT in text(ask(client, "an.nv@quangninh.gov.vn"))
    smtp.wait_for(3)
    assert len(smtp.to("an.nv@quangninh.gov.vn")) == 3  # three links per 15 minutes
    # Another client asks for another address: still sent.
    elsewhere = Client(REMOTE_ADDR="127.0.0.9")
    ask(elsewhere, "binh@quangninh.gov.vn")
    smtp.wait_for(4)
    # One client asking for many addresses is cut off after ten asks in an hour.
    for n in range(9):
        ask(elsewhere, f"nguoi-{n}@quangninh.gov.vn")
    smtp.clear()
    assert SENT in text(ask(elsewhere, "dung@quangninh.gov.vn"))  # the eleventh: not sent
    assert SENT in text(ask(Client(REMOTE_ADDR="127.0.0.10"), "dung@quangninh.gov.vn"))
    smtp.wait_for(1)
    assert [m.recipients for m in smtp.received] == [["dung@quangninh.gov.vn"]]


@pytest.mark.parametrize("role", ["administrator", "editor", "report_handler", "police_liaison"])
def test_an_account_with_more_than_a_rosters_role_logs_in_by_its_password_only(
    role, roster, smtp, client
):
    """An editor or administrator on a roster reads bulletins like everyone, but a link by
    email — no password, no lock-out — never opens their account; nor does a roster change
    close it."""
    from chinhthong.accounts import services as accounts

    boss = accounts.create_user("sep@quangninh.gov.vn", "Mat-khau-dai-2026!", role=role)
    boss.email = "sep@quangninh.gov.vn"
    boss.save()
    staff_import.import_staff(
        (ROSTER + "Vũ Văn Sếp,QN,CB,sep@quangninh.gov.vn,\n").encode(), "can-bo.csv"
    )
    person = StaffMember.objects.get(email="sep@quangninh.gov.vn")
    assert person.user == boss  # the same person: their bulletins reach their account

    ask(client, "an.nv@quangninh.gov.vn")  # someone who may, for the mail to wait on
    ask(client, "sep@quangninh.gov.vn")
    smtp.wait_for(1)
    assert smtp.to("sep@quangninh.gov.vn") == []
    # A link made while they were plain staff stops working once they have the role.
    (an,) = smtp.to("an.nv@quangninh.gov.vn")
    an_user = StaffMember.objects.get(email="an.nv@quangninh.gov.vn").user
    accounts.assign_role(an_user, role)
    url = LINK.search(an.text()).group().removeprefix("http://testserver")
    assert client.post(url).status_code == 410
    assert "_auth_user_id" not in client.session

    organisation.deactivate_staff(person)
    boss.refresh_from_db()
    assert boss.is_active
    by_password = {"username": "sep@quangninh.gov.vn", "password": "Mat-khau-dai-2026!"}
    assert Client().post("/dang-nhap/", by_password).status_code == 302


def test_asking_while_the_shared_cache_is_down_answers_as_usual(roster, smtp, settings):
    """Redis down (the cache fails open): the page answers, the link is sent."""
    settings.CACHES = {
        "default": {
            "BACKEND": "chinhthong.config.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = ask(Client(), "an.nv@quangninh.gov.vn")
    assert response.status_code == 200 and SENT in text(response)
    assert smtp.wait_for(1)[0].recipients == ["an.nv@quangninh.gov.vn"]
