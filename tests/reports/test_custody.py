"""The chain of custody holds, and `verify` finds an edited, a removed and a cut-off entry."""

import pytest

from chinhthong.reports import custody, intake
from chinhthong.reports.models import CustodyEntry, CustodyHead

from .helpers import png, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(default_registry):
    first = report(files=[intake.Upload("anh.png", png())])
    report(
        claim="Cùng bài đăng, người khác báo",
        links=["https://m.facebook.com/groups/123/posts/456/?mibextid=x"],
    )
    return first.case


def test_a_case_chain_holds_and_records_each_step(case):
    actions = list(case.custody.order_by("seq").values_list("action", flat=True))
    assert actions == ["case_opened", "report_received", "evidence_added", "report_joined"]
    assert custody.verify(case) == []


def test_an_edited_entry_is_found(case):
    CustodyEntry.objects.filter(case=case, seq=3).update(detail={"sha256": "0" * 64})
    problems = custody.verify(case)
    assert problems[0].seq == 3  # and the file it named is no longer in the chain
    assert problems[1:] and all(p.seq is None for p in problems[1:])


def test_a_removed_entry_is_found(case):
    CustodyEntry.objects.filter(case=case, seq=2).delete()
    problems = custody.verify(case)
    assert problems and problems[0].seq == 3


def test_a_truncated_chain_is_found_by_its_signed_head(case):
    CustodyEntry.objects.filter(case=case, seq=4).delete()
    problems = custody.verify(case)
    assert len(problems) == 1 and problems[0].seq is None
    assert "4" in problems[0].message


def test_a_forged_head_does_not_verify(case):
    last = case.custody.order_by("-seq").first()
    CustodyEntry.objects.filter(pk=last.pk).delete()
    previous = case.custody.order_by("-seq").first()
    CustodyHead.objects.filter(case=case).update(seq=previous.seq, digest=previous.digest)
    problems = custody.verify(case)
    assert [p.seq for p in problems] == [None]  # the head's signature covers what it names


def test_what_the_case_holds_is_checked_against_its_chain(case):
    from chinhthong.reports import evidence
    from chinhthong.reports.models import Evidence, Report

    item = Evidence.objects.get(case=case)
    path = evidence.path_for(item.sha256)
    original = path.read_bytes()
    path.write_bytes(original + b"x")  # the file changed on disk
    assert len(custody.verify(case)) == 1
    path.write_bytes(original)
    assert custody.verify(case) == []
    other = evidence.store(b"another file")
    Evidence.objects.filter(pk=item.pk).update(sha256=other)  # a file swapped in the database
    assert len(custody.verify(case)) == 2  # not in the chain; the recorded one gone
    Evidence.objects.filter(pk=item.pk).update(sha256=item.sha256)
    first = Report.objects.filter(case=case).order_by("pk").first()
    Report.objects.filter(pk=first.pk).update(claim="Một nội dung khác")
    assert len(custody.verify(case)) == 1
    Report.objects.filter(pk=first.pk).update(claim=first.claim)
    Evidence.objects.filter(pk=item.pk).delete()
    assert len(custody.verify(case)) == 1
    CustodyEntry.objects.filter(case=case).delete()
    CustodyHead.objects.filter(case=case).delete()
    assert custody.verify(case)  # a case with no chain at all does not hold
