"""Handlers take a case from the queue to a decision: each step allowed only from the states
it makes sense in, recorded with who did it, and the chain of custody still holds."""

import pytest
from django.urls import reverse

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.config.refusals import Refused
from chinhthong.reports import custody, handling
from chinhthong.reports.models import Priority, State, Verdict
from tests.conftest import PASSWORD

from .helpers import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(db):
    return accounts.create_user("xuly", PASSWORD, role=roles.REPORT_HANDLER)


@pytest.fixture
def case(default_registry):
    return report().case


def test_a_case_goes_from_new_to_decided_and_every_step_is_in_custody(case, handler):
    handling.move(case, State.TRIAGE, actor=handler)
    handling.assign(case, handler, actor=handler)
    handling.set_priority(case, Priority.URGENT, actor=handler)
    handling.move(case, State.INVESTIGATING, actor=handler)
    handling.comment(case, "Đã liên hệ Sở Y tế để xác minh.", actor=handler)
    handling.decide(
        case, actor=handler, verdict=Verdict.FABRICATED, finding="Sở Y tế xác nhận không có."
    )
    case.refresh_from_db()
    assert case.state == State.DECIDED and case.decided_by == handler
    assert case.due_at < case.created_at.replace(year=case.created_at.year + 1)
    actions = list(case.custody.order_by("seq").values_list("action", flat=True))
    assert actions[-6:] == [
        "state_changed",
        "assigned",
        "priority_set",
        "state_changed",
        "commented",
        "decided",
    ]
    assert all(entry.actor.endswith(":xuly") for entry in case.custody.order_by("seq")[2:])
    assert custody.verify(case) == []
    assert case.history.first().history_user == handler


def test_steps_the_state_does_not_allow_are_refused(case, handler):
    with pytest.raises(Refused):
        handling.move(case, State.CLOSED, actor=handler)
    with pytest.raises(Refused):
        handling.move(case, State.REJECTED, actor=handler, note="  ")
    handling.move(case, State.REJECTED, actor=handler, note="Không phải tin giả, là quảng cáo.")
    with pytest.raises(Refused):
        handling.decide(case, actor=handler, verdict=Verdict.FALSE, finding="x")


def test_only_handlers_act(case, editor):
    with pytest.raises(Refused):
        handling.move(case, State.TRIAGE, actor=editor)
    with pytest.raises(Refused):
        handling.assign(case, editor, actor=editor)


def test_bulk_actions_apply_to_each_case_they_can(default_registry, handler):
    first = report(links=["https://tiktok.com/@a/video/1"]).case
    second = report(
        links=["https://tiktok.com/@a/video/2"], claim="Một tin khác hẳn về giá điện"
    ).case
    handling.move(second, State.REJECTED, actor=handler, note="Trùng")
    done, problems = handling.bulk([first, second], "investigating", actor=handler)
    assert done == 1 and len(problems) == 1 and second.number in problems[0]


def test_the_page_says_who_else_has_the_case_open(client, case, handler, administrator):
    client.force_login(administrator)
    client.get(reverse("reports:case", args=[case.number]))
    client.force_login(handler)
    page = client.get(reverse("reports:case", args=[case.number])).content.decode()
    assert "quantri" in page and "being-handled-warning" in page


def test_the_queue_lists_open_cases_by_priority_and_marks_overdue(
    client, handler, default_registry
):
    low = report(
        links=["https://x.com/a/status/1"], claim="Tin đồn cúp điện toàn tỉnh ngày mai"
    ).case
    high = report(
        links=["https://x.com/a/status/2"], claim="Giả mạo Công an tỉnh kêu gọi chuyển tiền"
    ).case
    handling.set_priority(high, Priority.URGENT, actor=handler)
    type(low).objects.filter(pk=low.pk).update(due_at=low.created_at)
    client.force_login(handler)
    page = client.get(reverse("reports:queue")).content.decode()
    assert page.index(high.number) < page.index(low.number)
    assert "overdue-label" in page


def test_a_handler_merges_and_splits_cases_from_the_case_page(client, handler, default_registry):
    first = report(
        links=["https://tiktok.com/@a/video/7"], claim="Clip nói cầu Bãi Cháy sắp sập"
    ).case
    second = report(
        links=["https://tiktok.com/@b/video/8"], claim="Cầu Bãi Cháy có vết nứt lớn"
    ).case
    client.force_login(handler)
    answer = client.post(
        reverse("reports:act", args=[second.number, "merge"]), {"into": first.number.lower()}
    )
    assert answer["Location"] == reverse("reports:case", args=[first.number])
    second.refresh_from_db()
    assert second.state == State.CLOSED and first.reports.count() == 2
    moved = first.reports.order_by("received_at").last()
    answer = client.post(
        reverse("reports:act", args=[first.number, "split"]), {"report": moved.tracking_code}
    )
    moved.refresh_from_db()
    assert moved.case != first and answer["Location"] == reverse(
        "reports:case", args=[moved.case.number]
    )
    assert custody.verify(first) == [] and custody.verify(moved.case) == []
    # A case number that does not exist, or the case itself, changes nothing.
    client.post(reverse("reports:act", args=[first.number, "merge"]), {"into": "VV-1999-00001"})
    client.post(reverse("reports:act", args=[first.number, "merge"]), {"into": first.number})
    first.refresh_from_db()
    assert first.state == State.NEW


def test_a_decided_case_that_new_reports_join_comes_back_to_the_queue(
    client, handler, default_registry
):
    case = report(links=["https://x.com/a/status/77"], claim="Tin đồn giá xăng tăng gấp đôi").case
    handling.assign(case, handler, actor=handler)
    handling.decide(case, actor=handler, verdict=Verdict.FALSE, finding="Bộ Công Thương bác bỏ.")
    client.force_login(handler)
    assert case.number not in client.get(reverse("reports:queue")).content.decode()
    assert case.number in client.get(reverse("reports:queue") + "?mine=1").content.decode()
    joined = report(links=["https://x.com/a/status/77"], claim="Giá xăng tăng gấp đôi từ mai")
    assert joined.case_id == case.pk
    page = client.get(reverse("reports:queue")).content.decode()
    assert case.number in page and "new-reports" in page
