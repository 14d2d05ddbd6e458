"""A bulletin written, published and corrected through the services every edge calls."""

import pytest

from chinhthong.bulletins import services, signing
from chinhthong.bulletins.models import Status
from chinhthong.config.refusals import Refused
from chinhthong.reach import organisation
from chinhthong.registry import signing as registry_signing

pytestmark = pytest.mark.django_db


def _draft(**fields):
    values = {"title": "Cảnh báo lừa đảo", "body_markdown": "Không bấm vào **đường link** lạ."}
    values.update(fields)
    return services.Draft(**values)


def test_published_version_is_signed_with_the_registry_key(settings):
    bulletin = services.create_draft(_draft(), actor=None)
    assert bulletin.slug == "canh-bao-lua-dao"
    services.publish(bulletin, actor=None)
    bulletin.refresh_from_db()
    version = bulletin.latest_version
    assert bulletin.status == Status.PUBLISHED
    assert "<strong>đường link</strong>" in version.body_html
    key = registry_signing.load_private_key(settings.REGISTRY_SIGNING_KEY_FILE)
    assert signing.verify_version(version, registry_signing.public_pem(key))
    version.signed_body = bytes(version.signed_body).replace("lạ".encode(), b"la")
    assert not signing.verify_version(version, registry_signing.public_pem(key))


def test_significant_correction_asks_for_a_new_read():
    bulletin = services.create_draft(_draft(), actor=None)
    services.publish(bulletin, actor=None)
    services.correct(
        bulletin, _draft(title="Cảnh báo lừa đảo (sửa)"), actor=None, significant=False
    )
    bulletin.refresh_from_db()
    assert bulletin.read_from_version == 1
    version = services.correct(bulletin, _draft(), actor=None, significant=True)
    bulletin.refresh_from_db()
    assert (version.number, bulletin.read_from_version) == (3, 3)
    assert version.signature


def test_a_bulletin_for_no_one_is_refused():
    with pytest.raises(Refused) as refused:
        services.create_draft(_draft(whole_province=False), actor=None)
    assert refused.value.code == "no_audience"


def test_subtree_at_any_depth():
    province = organisation.create_unit(code="QN", name="Tỉnh Quảng Ninh")
    city = organisation.create_unit(code="CP", name="Cẩm Phả", parent=province)
    ward = organisation.create_unit(code="CP-CT", name="Cẩm Tây", parent=city)
    other = organisation.create_unit(code="HL", name="Hạ Long", parent=province)
    assert set(organisation.subtree(city)) == {city, ward}
    organisation.move_unit(city, other)
    ward.refresh_from_db()
    assert set(organisation.subtree(other)) == {other, city, ward}
    assert ward.path == f"/{province.pk}/{other.pk}/{city.pk}/{ward.pk}/"
