"""Every page of the back office × every role and anonymous × GET and POST.

What each role may do is read from the roles table (accounts/roles.py), and the few things no
one may do on the web are listed here; the test then asks the real back office. A write
(add, change, delete, reverting to a past version, a bulk action) must happen exactly when the
role holds its permission — shown by the row changing, not by a status code — and no request
may answer 500. The POST a permitted role sends is a real, valid form, so a refusal to anyone
else means something.
"""

import contextlib
import datetime as dt
import hashlib

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.bulletins import attachments as bulletin_files
from chinhthong.bulletins import intake
from chinhthong.bulletins import services as bulletins
from chinhthong.bulletins.intake_parsing import Entry
from chinhthong.bulletins.models import Attachment, Bulletin, FeedItem, FeedSource
from chinhthong.checks import blocklists, known_sites
from chinhthong.checks.models import BlocklistEntry, BlocklistSource, KnownSite
from chinhthong.clients import api_keys
from chinhthong.clients.models import ApiClient
from chinhthong.portal import services as portal
from chinhthong.portal.models import SiteIdentity
from chinhthong.reach import importers, staff_import
from chinhthong.reach.models import StaffMember, Unit
from chinhthong.registry import importing
from chinhthong.registry.models import Agency, Channel, ReportRecipient, SourceDocument
from chinhthong.reports.models import Liaison
from tests.conftest import PASSWORD
from tests.portal.pictures import png

ROLES = [None, *roles.PERMISSIONS]  # None: not logged in

# (app_label, model) -> the writes no one makes on the web, whatever the table says.
WEB_NEVER = {
    ("auth", "group"): {"add", "change", "delete"},  # a role's rights are accounts/roles.py
    ("clients", "apiclient"): {"add"},  # keys are made by `chinhthong apikey create`
    ("axes", "accessattempt"): {"add", "change"},
    ("axes", "accesslog"): {"add", "change", "delete"},
    ("axes", "accessfailurelog"): {"add", "change", "delete"},
    ("django_tasks_database", "dbtaskresult"): {"add", "change", "delete"},
    ("portal", "siteidentity"): {"add", "delete"},  # one record, made by the migration
}
# Bulk actions and the permission each needs; a new action must be added here.
ACTIONS = {
    "delete_selected": "delete",
    "cleanup_expired_attempts": "delete",
    "poll_now": "change",  # feed sources: polled at the worker's next round
    "approve_selected": "change",  # feed items: bulletin drafts made
    "reject_selected": "change",
    "deactivate_staff": "change",  # staff: people who left are deactivated, never deleted
}
ONCE_PER_RECORD = {"reject_selected"}
# One field each change and revert test edits, with its new value.
EDIT = {
    SourceDocument: ("title", "Tiêu đề đã sửa"),
    Agency: ("name_en", "Changed name"),
    Channel: ("notes", "Ghi chú đã sửa"),
    ReportRecipient: ("description", "Mô tả đã sửa"),
    BlocklistSource: ("title", "Nguồn đã sửa"),
    BlocklistEntry: ("value", "https://lua-dao-da-sua.example/"),
    KnownSite: ("name", "Báo đã sửa"),
    ApiClient: ("description", "Cổng thư đã sửa"),
    get_user_model(): ("first_name", "Tên đã sửa"),
    SiteIdentity: ("hours", "Thứ Hai đến Thứ Sáu, 7:30–17:00"),
    FeedSource: ("url", "https://congchuc.quangninh.gov.vn/rss/da-sua.xml"),
    FeedItem: ("title", "Tiêu đề tin đã sửa"),
    Unit: ("name", "Đơn vị đã sửa"),
    StaffMember: ("position", "Chức vụ đã sửa"),
    Bulletin: ("tags", "bão, phòng chống thiên tai"),  # a draft: its form writes a draft
    Attachment: ("name", "ban-do-da-sua.png"),
    # A liaison moved to another body (values known once the records exist).
    Liaison: ("recipient", lambda: str(ReportRecipient.objects.get(code="cong-an-dia-phuong").pk)),
}
# The value a revert writes where the change's value with a suffix would not be valid.
REVERTED = {FeedSource: "https://congchuc.quangninh.gov.vn/rss/phien-ban-cu.xml"}
# Fields an added record needs different from the record its form is copied from.
ADD = {
    SourceDocument: {"number": "99/THU-NGHIEM"},
    Agency: {"code": "co-quan-thu-nghiem"},
    Channel: {
        "slug": "web-thu-nghiem",
        "host": "thunghiem.quangninh.gov.vn",
        "url": "https://thunghiem.quangninh.gov.vn/",
    },
    ReportRecipient: {"code": "noi-nhan-thu-nghiem"},
    BlocklistSource: {"name": "nguon-thu-nghiem"},
    BlocklistEntry: {"value": "https://lua-dao-moi.example/"},
    KnownSite: {"domain": "baothunghiem.vn"},
    FeedSource: {"url": "https://congchuc.quangninh.gov.vn/rss/them.xml"},
    Unit: {"code": "don-vi-thu-nghiem"},
    StaffMember: {"email": "nguoi-moi@quangninh.gov.vn", "phone": "0988 000 111"},
    Bulletin: {"title": "Bản tin thử quyền"},
    Liaison: {"user": lambda: str(get_user_model().objects.get(username="dau-moi-moi").pk)},
}


def _allowed(role: str | None, model, action: str) -> bool:
    """What the roles table grants, on the web: only roles that work in the back office reach
    it (a police liaison's permissions serve pages of its own)."""
    opts = model._meta
    if role not in roles.BACK_OFFICE:
        return False
    if action in WEB_NEVER.get((opts.app_label, opts.model_name), set()):
        return False
    return (opts.app_label, f"{action}_{opts.model_name}") in roles.PERMISSIONS.get(role, [])


def _may_view(role, model) -> bool:
    return _allowed(role, model, "view") or _allowed(role, model, "change")


def _refusal(role) -> int:
    """How the back office turns away a role: to the login page, or 403 to back-office roles."""
    return 403 if role in roles.BACK_OFFICE else 302


@pytest.fixture
def people(db):
    users = {None: None}
    for role in roles.PERMISSIONS:
        users[role] = accounts.create_user(f"vai-tro-{role}", PASSWORD, role=role)
    return users


@pytest.fixture
def records(default_registry, people, client):
    """Records of every model: one to view and change, and two that nothing depends on, to
    delete one by one."""
    spare = [f"{n}" for n in (1, 2)]
    importing.import_registry(
        {
            "documents": [{"number": f"7{n}/XOA", "issuer": "Sở thử nghiệm"} for n in spare],
            "agencies": [
                {"code": f"co-quan-xoa-{n}", "name": "Cơ quan để xoá", "level": "province"}
                for n in spare
            ],
            "channels": [
                {
                    "slug": f"web-xoa-{n}",
                    "agency": "who",
                    "kind": "website",
                    "name": "Trang để xoá",
                    "url": f"https://xoa{n}.quangninh.gov.vn/",
                    "host": f"xoa{n}.quangninh.gov.vn",
                    "status": "active",
                }
                for n in spare
            ],
            "report_recipients": [
                {"code": f"noi-nhan-xoa-{n}", "name": "Nơi nhận để xoá", "kind": "other"}
                for n in spare
            ],
        }
    )
    feed = b"https://lua-dao.example/\nhttps://lua-dao-2.example/\nhttps://lua-dao-3.example/\n"
    blocklists.import_file(feed, "plain", "tay")
    for n in spare:
        BlocklistSource.objects.create(name=f"nguon-xoa-{n}", format="plain")
        api_keys.create(f"cong-thu-{n}")
        accounts.create_user(f"nguoi-de-xoa-{n}", PASSWORD, role=roles.STAFF)
    api_keys.create("cong-thu")
    for domain in ("baolaodong.vn", "baothanhnien.vn", "baotuoitre.vn"):
        known_sites.add(domain, "Báo")
    # Axes records: failed logins (attempts) and logins (access logs).
    for role in (roles.STAFF, roles.UNIT_MANAGER, roles.POLICE_LIAISON):
        client.post("/dang-nhap/", {"username": f"vai-tro-{role}", "password": "sai-mat-khau-1"})
        client.post("/dang-nhap/", {"username": f"vai-tro-{role}", "password": PASSWORD})
        client.logout()
        client.post("/dang-nhap/", {"username": f"vai-tro-{role}", "password": "sai-mat-khau-2"})
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(days=2))
    _task_result()
    portal.load_default_identity()
    for n in (1, 2, 3):
        source = intake.add_source(
            channel_slug="web-cong-thong-tin-cong-chuc",
            url=f"https://congchuc.quangninh.gov.vn/rss/{n}.xml",
            actor=None,
        )
        intake.take_in(
            source, [Entry(f"Tin số {n}", "Tóm tắt", f"https://congchuc.quangninh.gov.vn/tin/{n}")]
        )
    importers.import_units(UNITS, "don-vi.csv")
    staff_import.import_staff(ROSTER, "can-bo.csv")
    # Liaisons of the bodies cases are referred to: one to change, two to delete, and a user
    # for the one an administrator adds.
    body = ReportRecipient.objects.get(code="pa03-cong-an-quang-ninh")
    for name in ("dau-moi-1", "dau-moi-xoa-1", "dau-moi-xoa-2"):
        user = accounts.create_user(name, PASSWORD, role=roles.POLICE_LIAISON)
        Liaison.objects.create(user=user, recipient=body)
    accounts.create_user("dau-moi-moi", PASSWORD, role=roles.POLICE_LIAISON)
    for n in (1, 2, 3):  # drafts, each with a picture
        draft = bulletins.Draft(title=f"Bản tin thử {n}", body_markdown="Nội dung.", tags=["thử"])
        bulletin = bulletins.create_draft(draft, actor=None)
        bulletin_files.add_attachment(bulletin, name="anh.png", data=png(), actor=None)
    return people


UNITS = "code,name,parent_code\nQN,Tỉnh Quảng Ninh,\nCP,Thành phố Cẩm Phả,QN\n".encode()
ROSTER = (
    "name,unit,category,email,phone\n"
    "Nguyễn Văn An,CP,CB,an@quangninh.gov.vn,0912345678\n"
    "Trần Thị Bình,CP,CC,binh@quangninh.gov.vn,\n"
    "Lê Văn Cường,QN,VC,,0913000111\n"
).encode()


def _task_result() -> None:
    """A task waiting in the database queue, as `make run` keeps them."""
    from chinhthong.registry.tasks import rebuild_snapshot

    queued = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    with override_settings(TASKS={"default": queued}):
        rebuild_snapshot.enqueue()


KEEP = {
    Agency: {"code": "who"},
    SourceDocument: {"number": "1341/STTTT-TTBCXB"},
    Channel: {"slug": "web-cong-thong-tin-cong-chuc"},
    ReportRecipient: {"code": "thanh-tra-so-tttt-quang-ninh"},
}


def _records(model):
    """The record to view and change, and those that may be deleted."""
    rows = list(model.objects.order_by("pk"))
    if model is get_user_model():
        return rows[0], [u for u in rows if u.username.startswith("nguoi-de-xoa")]
    if model in KEEP:
        victims = [r for r in rows if "xoa" in str(getattr(r, next(iter(KEEP[model]))))]
        return model.objects.get(**KEEP[model]), victims
    return (rows[0], rows[-2:]) if rows else (None, [])


def form_data(model_admin, obj) -> dict:
    """The POST body of a model's admin form, as a browser would send it unchanged."""
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    form = model_admin.get_form(request, obj, change=obj is not None)(instance=obj)
    data: dict = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        if name == "change_reason":  # every save of a record says why (accounts/backoffice.py)
            data[name] = "Thử quyền của vai trò"
            continue
        value = form[name].value()
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else widget.widgets[i].format_value(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            formatted = None if value is None else widget.format_value(value)
            data[name] = "" if formatted is None else formatted
    return data


def _rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def _admins():
    return [
        pytest.param(model, id=f"{model._meta.app_label}.{model._meta.model_name}")
        for model in admin.site._registry
    ]


@contextlib.contextmanager
def _as(client, user):
    """Requests as ``user``, whose writes are rolled back afterwards: every role meets the
    same records."""
    with transaction.atomic():
        client.logout()
        if user is not None:
            client.force_login(user)
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("model", _admins())
def test_reading_pages(client, records, model):
    for role in ROLES:
        with _as(client, records[role]):
            _check_reading_pages(client, role, model)


def _check_reading_pages(client, role, model):
    obj, _victims = _records(model)
    opts = model._meta
    base = f"/quan-tri/{opts.app_label}/{opts.model_name}/"
    view = 200 if _may_view(role, model) else _refusal(role)
    pages = {
        base: view,
        f"{base}?q=a&o=1": view,
        f"{base}add/": 200 if _allowed(role, model, "add") else _refusal(role),
    }
    if obj is not None:
        pages[f"{base}{obj.pk}/change/"] = view
        pages[f"{base}{obj.pk}/history/"] = view
        pages[f"{base}{obj.pk}/delete/"] = (
            200 if _allowed(role, model, "delete") else _refusal(role)
        )
        ct = ContentType.objects.get_for_model(model)
        if hasattr(model, "get_absolute_url"):
            pages[f"/quan-tri/r/{ct.pk}/{obj.pk}/"] = (
                302 if _may_view(role, model) else (404 if role in roles.BACK_OFFICE else 302)
            )
        if hasattr(obj, "history"):
            version = obj.history.first().history_id
            pages[f"{base}{obj.pk}/history/{version}/"] = view
    seen = {url: client.get(url).status_code for url in pages}
    assert seen == pages, role


@pytest.mark.parametrize("model", _admins())
def test_writes_happen_only_with_their_permission(client, records, model):
    for role in ROLES:
        with _as(client, records[role]):
            _check_writes(client, role, model)


def _check_writes(client, role, model):
    model_admin = admin.site._registry[model]
    obj, victims = _records(model)
    opts = model._meta
    base = f"/quan-tri/{opts.app_label}/{opts.model_name}/"
    attempts = []  # (what, url, data, permission it needs)
    if obj is not None and model in EDIT:
        field, value = EDIT[model]
        value = value() if callable(value) else value
        edited = {**form_data(model_admin, obj), field: value}
        attempts.append(("change", f"{base}{obj.pk}/change/", edited, "change"))
        if hasattr(obj, "history"):
            version = obj.history.last().history_id
            old = REVERTED.get(model, value + " (phiên bản cũ)")
            reverted = {**form_data(model_admin, obj), field: old}
            url = f"{base}{obj.pk}/history/{version}/"
            attempts.append(("revert", url, reverted, "change"))
    if model in ADD:
        extra = {k: v() if callable(v) else v for k, v in ADD[model].items()}
        added = {**form_data(model_admin, obj), **extra}
        attempts.append(("add", f"{base}add/", added, "add"))
    if victims:
        url = f"{base}{victims[0].pk}/delete/"
        attempts.append(("delete", url, {"post": "yes"}, "delete"))
        for action in model_admin.get_actions(_superuser_request()):
            assert action in ACTIONS, f"{action}: say which permission it needs"
            # An action done once per record (an item reviewed is not reviewed again) after
            # another such action takes the other victim, which no role may delete.
            chosen = [victims[0 if action in ONCE_PER_RECORD else -1].pk]
            body = {"action": action, "_selected_action": chosen, "index": "0", "post": "yes"}
            attempts.append((action, base, body, ACTIONS[action]))
    for what, url, data, needs in attempts:
        before = _rows(model)
        response = client.post(url, data)
        assert response.status_code < 500, (what, url)
        changed = _rows(model) != before
        allowed = _allowed(role, model, needs)
        if what == "cleanup_expired_attempts":  # it deletes the expired attempts, not the chosen
            assert changed == allowed, (what, role)
        else:
            assert changed == allowed, (what, role, response.status_code)
        if allowed:
            assert response.status_code == 302, (what, response.content.decode()[:3000])
        else:
            assert response.status_code in (_refusal(role), 302, 200), (what, role)


def _superuser_request():
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    return request


def test_every_model_with_a_write_permission_in_the_table_is_tested():
    """A model the table lets someone change must have a change test above."""
    changeable = {
        (app, code.split("_", 1)[1])
        for perms in roles.PERMISSIONS.values()
        for app, code in perms
        if code.startswith("change_")
    }
    tested = {(m._meta.app_label, m._meta.model_name) for m in EDIT}
    assert changeable <= tested | {("django_rq", "admin")}


# --- accounts: no right beyond the roles table -----------------------------------------------
def test_an_administrator_cannot_make_anyone_a_superuser_or_grant_single_permissions(
    client, records
):
    administrator = records[roles.ADMINISTRATOR]
    client.force_login(administrator)
    user_admin = admin.site._registry[get_user_model()]
    for target in (administrator, records[roles.STAFF]):
        data = form_data(user_admin, target)
        data.update(is_superuser="on", is_staff="on", user_permissions=["1", "2", "3"])
        response = client.post(f"/quan-tri/auth/user/{target.pk}/change/", data)
        assert response.status_code == 302
        target.refresh_from_db()
        assert not target.is_superuser
        assert not target.user_permissions.exists()
    assert records[roles.STAFF].is_staff is False  # no back-office role, no back office


def test_an_administrator_can_give_only_roles_and_back_office_access_follows_them(client, records):
    client.force_login(records[roles.ADMINISTRATOR])
    target = records[roles.STAFF]
    stray = Group.objects.create(name="nhom-tu-dat")
    user_admin = admin.site._registry[get_user_model()]
    editor_group = Group.objects.get(name=roles.EDITOR)
    data = {**form_data(user_admin, target), "groups": [str(stray.pk)]}
    response = client.post(f"/quan-tri/auth/user/{target.pk}/change/", data)
    assert response.status_code == 200  # not a choice
    assert not target.groups.filter(pk=stray.pk).exists()
    data["groups"] = [str(editor_group.pk)]
    assert client.post(f"/quan-tri/auth/user/{target.pk}/change/", data).status_code == 302
    target.refresh_from_db()
    assert target.is_staff and target.groups.filter(name=roles.EDITOR).exists()
    data["groups"] = []
    client.post(f"/quan-tri/auth/user/{target.pk}/change/", data)
    target.refresh_from_db()
    assert not target.is_staff


def test_only_a_superuser_changes_a_superuser(client, records):
    boss = get_user_model().objects.create_superuser("sieu-quan-tri", password=PASSWORD)
    client.force_login(records[roles.ADMINISTRATOR])
    base = f"/quan-tri/auth/user/{boss.pk}"
    assert client.get(f"{base}/change/").status_code == 200  # may see the account
    for url, data in (
        (f"{base}/password/", {"password1": "mat-khau-moi-123", "password2": "mat-khau-moi-123"}),
        (f"{base}/delete/", {"post": "yes"}),
        (f"{base}/change/", {"username": "bi-chiem", "is_active": ""}),
    ):
        assert client.post(url, data).status_code == 403
    boss.refresh_from_db()
    assert boss.check_password(PASSWORD) and boss.username == "sieu-quan-tri" and boss.is_active


def test_creating_a_user_leaves_the_role_groups_as_they_are(db):
    editor = accounts.create_user("bien-tap-1", PASSWORD, role=roles.EDITOR)
    group = Group.objects.get(name=roles.EDITOR)
    added = Group.objects.get(name=roles.EDITOR).permissions.model.objects.get(codename="view_user")
    group.permissions.add(added)  # an administrator's addition, from the command line
    accounts.create_user("bien-tap-2", PASSWORD, role=roles.EDITOR)
    accounts.create_user("quan-tri-2", PASSWORD, role=roles.ADMINISTRATOR)
    assert group.permissions.filter(pk=added.pk).exists()
    assert editor.has_perm("auth.view_user")


# --- the organisation's import pages: upload, preview, confirm --------------------------------
IMPORTS = {
    Unit: ("/quan-tri/reach/unit/import/", "code,name,parent_code\nHL,Thành phố Hạ Long,QN\n"),
    StaffMember: (
        "/quan-tri/reach/staffmember/import/",
        "name,unit,category,email\nPhạm Thị Dung,CP,NLĐ,dung@quangninh.gov.vn\n",
    ),
}


def test_import_pages_write_only_for_roles_that_add_and_change(client, records):
    for role in ROLES:
        with _as(client, records[role]):
            _check_import_pages(client, role)


def _check_import_pages(client, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for model, (url, text) in IMPORTS.items():
        allowed = _allowed(role, model, "add") and _allowed(role, model, "change")
        expected = 200 if allowed else _refusal(role)
        assert client.get(url).status_code == expected, (role, url)
        before = _rows(model)
        upload = SimpleUploadedFile("tep.csv", text.encode(), content_type="text/csv")
        preview = client.post(url, {"file": upload})
        assert preview.status_code == expected, (role, url)
        assert _rows(model) == before  # a preview writes nothing
        token = preview.context["token"] if allowed else "khong-co"
        digest = hashlib.sha256(text.encode()).hexdigest()
        confirmed = client.post(url, {"token": token, "digest": digest})
        assert confirmed.status_code == (302 if allowed else expected), (role, url)
        assert (_rows(model) != before) == allowed, (role, url)


# --- pages outside the model admins ------------------------------------------------------------
def test_site_pages_and_hostile_addresses(client, records):
    for role in ROLES:
        with _as(client, records[role]):
            _check_site_pages(client, role)


def _check_site_pages(client, role):
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    ct = ContentType.objects.get_for_model(Channel)
    back_office = role in roles.BACK_OFFICE
    missing = 404 if back_office else 302
    pages = {
        "/quan-tri/": 200 if back_office else 302,
        "/quan-tri/django_rq/": missing,  # no Redis: no task-queue dashboard at all
        "/quan-tri/django_rq/dashboard/": missing,
        f"/quan-tri/r/{ct.pk}/{channel.pk}99999999999999999999/": missing,
        f"/quan-tri/r/{ct.pk}/abc/": missing,
        "/quan-tri/r/999999/1/": missing,
        f"/quan-tri/registry/channel/{channel.pk}/history/abc/": missing,
        f"/quan-tri/registry/channel/{channel.pk}/history/99999999999999999999/": missing,
        "/quan-tri/registry/channel/abc/history/1/": missing,
        "/quan-tri/registry/channel/99999999999999999999/history/": missing,
        "/quan-tri/registry/channel/99999999999999999999/change/": 302
        if not back_office
        else (302 if _may_view(role, Channel) else 403),
    }
    for ct_model in ContentType.objects.all():
        pages[f"/quan-tri/r/{ct_model.pk}/1/"] = None  # any answer but a 500
    for url, expected in pages.items():
        status = client.get(url).status_code
        assert status < 500, url
        if expected is not None:
            assert status == expected, (url, status)
        assert client.post(url, {"post": "yes"}).status_code < 500, url


def test_a_refusal_says_why_in_vietnamese_and_roles_are_named_as_people_say(client, records):
    client.force_login(records[roles.EDITOR])
    refused = client.get("/quan-tri/auth/user/")
    assert refused.status_code == 403
    assert "Không được phép" in refused.content.decode()
    client.force_login(records[roles.ADMINISTRATOR])
    page = client.get(f"/quan-tri/auth/user/{records[roles.STAFF].pk}/change/").content.decode()
    assert "Biên tập viên" in page and ">editor<" not in page
