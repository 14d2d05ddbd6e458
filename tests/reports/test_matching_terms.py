"""The words matching compares are prepared once per text and stored: a report's at intake, a
bulletin version's when an index first needs it; a fresh process builds its index from them
without segmenting again (underthesea's calls counted by textnorm.segment's cache); texts
stored before are prepared on the first build and written back; the CLI prepares them all."""

import pytest
import typer
from django.utils.translation import gettext as _
from typer.testing import CliRunner

from chinhthong.bulletins.forwards import version_text
from chinhthong.reports import matching_cli, textmatch, textnorm
from chinhthong.reports.models import BulletinTerms, Intake, Report
from tests.bulletins.public_bulletins import correct, publish

from .helpers import report

pytestmark = pytest.mark.django_db

CLAIM = "Tin đồn: tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long từ ngày mai, cấm người dân ra đường"
PLAIN = "tin don: tinh sap phong toa toan bo thanh pho ha long tu ngay mai, cam nguoi dan ra duong"
OTHER = "Nước máy ở phường Bãi Cháy bị nhiễm độc, uống vào sẽ bị ngộ độc ngay trong ngày"
THIRD = "Công an thành phố cấm xe máy đi vào phường Hồng Gai từ thứ hai tuần sau, phạt nặng"
BULLETIN = {
    "title": "Bác bỏ tin đồn phong tỏa thành phố Hạ Long",
    "summary": "Không có chuyện phong tỏa.",
    "body_markdown": (
        "Trên mạng xã hội lan truyền thông tin tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long "
        "từ ngày mai, cấm người dân ra đường. Đây là thông tin sai sự thật."
    ),
}


def said(claim):
    return report(claim=claim, links=())


def fresh_process():
    """What a new process has: no index, nothing normalised, underthesea's cache empty."""
    textmatch.reset_index()
    textnorm.segment.cache_clear()


def segmented() -> int:
    """Texts underthesea segmented since fresh_process()."""
    return textnorm.segment.cache_info().misses


def cli() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)
    app.command("prepare-matching")(matching_cli.prepare_matching)
    return app


def test_stored_terms_give_back_what_normalising_gives():
    teen = "ko dc đi vs ng lạ, bây h quáaaa 😱 https://bit.ly/x"
    for text in (CLAIM, teen, "tin don ha long", ""):
        normal = textnorm.normalise(text)
        assert textnorm.from_terms(text, textnorm.stored_terms(normal)) == normal
        assert textnorm.from_terms(text, textnorm.terms_of(text)) == normal
    # Missing, or made by another version of the normalisation: prepared again.
    assert textnorm.from_terms(CLAIM, {}) is None
    outdated = {**textnorm.terms_of(CLAIM), "v": textnorm.TERMS_VERSION - 1}
    assert textnorm.from_terms(CLAIM, outdated) is None


def test_a_report_is_stored_with_its_terms(default_registry):
    stored = Report.objects.get(pk=said(CLAIM).pk)
    assert stored.match_terms == textnorm.terms_of(CLAIM)
    assert stored.match_terms["v"] == textnorm.TERMS_VERSION
    assert "phong_toa" in stored.match_terms["compounds"]  # segmented by underthesea


def test_a_fresh_process_builds_its_index_from_the_stored_terms(default_registry):
    first, second = said(CLAIM), said(THIRD)
    # Deliberately other terms stored for the first report: the index believes them.
    Report.objects.filter(pk=first.pk).update(match_terms=textnorm.terms_of(OTHER))
    fresh_process()
    hits = textmatch.search(OTHER, kinds=("case",))
    assert hits[0].id == first.case_id and hits[0].score == 1.0
    assert segmented() == 1  # the query; neither stored claim
    assert [h.id for h in textmatch.search(THIRD, kinds=("case",))][:1] == [second.case_id]
    assert all(h.id != first.case_id for h in textmatch.search(CLAIM, kinds=("case",), floor=0.5))


def test_a_warm_index_takes_a_new_report_with_its_stored_terms(default_registry):
    first = said(CLAIM)
    textmatch.search(CLAIM, kinds=("case",))  # built
    added = Report.objects.create(
        case=first.case, intake=Intake.STAFF, claim=THIRD, match_terms=textnorm.terms_of(OTHER)
    )
    textnorm.segment.cache_clear()
    hits = textmatch.search(OTHER, kinds=("case",))
    assert hits[0].id == added.case_id and hits[0].score == 1.0
    assert segmented() == 1  # the query only


def test_reports_stored_before_get_their_terms_on_the_first_build(
    default_registry, django_capture_on_commit_callbacks
):
    made = [said(CLAIM), said(OTHER), said(THIRD)]
    Report.objects.filter(pk=made[0].pk).update(match_terms={})
    outdated = {**textnorm.terms_of(OTHER), "v": textnorm.TERMS_VERSION - 1}
    Report.objects.filter(pk=made[1].pk).update(match_terms=outdated)
    fresh_process()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hits = textmatch.search(PLAIN, kinds=("case",))  # no diacritics: not segmented
    assert hits[0].id == made[0].case_id
    assert segmented() == 2  # the two claims without terms of this version
    assert len(callbacks) == 1  # written back once the transaction commits
    for item in made:
        assert Report.objects.get(pk=item.pk).match_terms == textnorm.terms_of(item.claim)
    # The next process prepares nothing and stores nothing.
    fresh_process()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert textmatch.search(PLAIN, kinds=("case",))[0].id == made[0].case_id
    assert segmented() == 0 and callbacks == []


def test_a_bulletin_versions_terms_are_made_once(
    default_registry, django_capture_on_commit_callbacks
):
    bulletin = publish(**BULLETIN)
    assert not BulletinTerms.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert textmatch.search(CLAIM, kinds=("bulletin",))[0].id == bulletin.pk
    row = BulletinTerms.objects.get()
    version = bulletin.latest_version
    assert row.version_id == version.pk
    text = version_text(version.title, version.summary, version.body_html)
    assert row.terms == textnorm.terms_of(text)

    for _process in range(2):
        fresh_process()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert textmatch.search(CLAIM, kinds=("bulletin",))[0].id == bulletin.pk
        assert segmented() == 1 and callbacks == []  # the query only, nothing to store
        assert list(BulletinTerms.objects.values_list("pk", "version_id")) == [(row.pk, version.pk)]

    # A correction is a new version: its terms are made once too, the old row stays.
    correct(bulletin, summary="Không có chuyện phong tỏa: tin bịa đặt.")
    newer = bulletin.latest_version
    with django_capture_on_commit_callbacks(execute=True):
        assert textmatch.search(CLAIM, kinds=("bulletin",))[0].id == bulletin.pk
    assert set(BulletinTerms.objects.values_list("version_id", flat=True)) == {
        version.pk,
        newer.pk,
    }


def test_the_command_prepares_every_missing_terms(default_registry):
    made = [said(CLAIM), said(OTHER)]
    Report.objects.update(match_terms={})
    bulletin = publish(**BULLETIN)
    assert textmatch.missing_terms() == (
        [item.pk for item in made],
        [bulletin.latest_version.pk],
    )

    result = CliRunner().invoke(cli(), ["prepare-matching"])
    assert result.exit_code == 0, result.output
    done = _("Matching terms prepared: %(reports)s reports, %(bulletins)s bulletins.")
    assert done % {"reports": 2, "bulletins": 1} in result.output
    assert textmatch.missing_terms() == ([], [])
    for item in made:
        assert Report.objects.get(pk=item.pk).match_terms == textnorm.terms_of(item.claim)
    assert BulletinTerms.objects.get().version_id == bulletin.latest_version.pk

    fresh_process()
    hits = textmatch.search(CLAIM)
    assert {(h.kind, h.id) for h in hits if h.score >= 0.5} >= {
        ("case", made[0].case_id),
        ("bulletin", bulletin.pk),
    }
    assert segmented() == 1  # the query only

    again = CliRunner().invoke(cli(), ["prepare-matching"])
    assert again.exit_code == 0, again.output
    assert _("Every report and published bulletin has its matching terms.") in again.output
