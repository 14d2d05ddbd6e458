"""Published bulletins for the tests of the public side, made through the services every edge
calls (create_draft, publish, correct), signed with the test key (tests/conftest.py)."""

from chinhthong.bulletins import services
from chinhthong.bulletins.models import Bulletin

BODY = (
    "Thời gian gần đây, các đối tượng giả danh cơ quan nhà nước gửi tin nhắn qua Zalo, "
    "yêu cầu người dân bấm vào đường link lạ để cập nhật thông tin định danh.\n\n"
    "Người dân **không bấm** vào đường link lạ, không cung cấp mã OTP cho bất kỳ ai. "
    "Thông tin chính thức chỉ có tại <https://quangninh.gov.vn/thong-bao>.\n\n"
    "Khi phát hiện dấu hiệu lừa đảo, báo ngay cho Công an phường hoặc gọi 113."
)


def draft(**fields) -> services.Draft:
    values = {
        "title": "Cảnh báo lừa đảo qua Zalo",
        "summary": "Không bấm vào đường link lạ, không cung cấp mã OTP.",
        "body_markdown": BODY,
        "tags": ["lừa đảo", "an toàn thông tin"],
        "sources": [
            {"title": "Công an tỉnh Quảng Ninh", "url": "https://congan.quangninh.gov.vn/"}
        ],
    }
    values.update(fields)
    return services.Draft(**values)


def publish(**fields) -> Bulletin:
    bulletin = services.create_draft(draft(**fields), actor=None)
    services.publish(bulletin, actor=None)
    bulletin.refresh_from_db()
    return bulletin


def correct(bulletin: Bulletin, *, significant=False, change_note="", **fields):
    latest = bulletin.latest_version
    current = {
        "title": latest.title,
        "summary": latest.summary,
        "body_markdown": latest.body_markdown,
        "sources": latest.sources,
        "tags": bulletin.tags,
        "urgency": bulletin.urgency,
    }
    current.update(fields)
    version = services.correct(
        bulletin,
        services.Draft(**current),
        actor=None,
        significant=significant,
        change_note=change_note,
    )
    bulletin.refresh_from_db()
    return version
