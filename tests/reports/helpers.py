"""Data for the reports tests, made through the services."""

import io

from PIL import Image

from chinhthong.reports import intake
from chinhthong.reports.models import Intake


def png(width: int = 320, height: int = 200, colour=(200, 30, 30), exif: bool = False) -> bytes:
    """A screenshot-like picture: a coloured block with a stripe, optionally with EXIF."""
    image = Image.new("RGB", (width, height), colour)
    for x in range(width // 4, width // 2):
        for y in range(height // 3, height // 2):
            image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "Máy ảnh thử"  # Make
        data[0x8825] = {2: (21.0, 0.0, 0.0)}  # GPS latitude
        image.save(out, "JPEG", exif=data)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def report(
    claim: str = "Tin đồn: tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long từ ngày mai",
    links=("https://www.facebook.com/groups/123/posts/456",),
    files=(),
    **fields,
):
    way_in = fields.pop("intake", Intake.WEB)
    submission = intake.Submission(claim=claim, links=list(links), files=list(files), **fields)
    return intake.submit(submission, intake=way_in)


def handler_user(username: str = "xu-ly-tin-gia"):
    from django.contrib.auth import get_user_model

    from chinhthong.accounts import roles
    from chinhthong.accounts import services as accounts
    from tests.conftest import PASSWORD

    found = get_user_model().objects.filter(username=username).first()
    return found or accounts.create_user(username, PASSWORD, role=roles.REPORT_HANDLER)


def published_rebuttal():
    """A report on a claim decided as fake news and published as verified information; the
    report (its tracking code shows the outcome)."""
    from chinhthong.reports import handling, rebuttals
    from chinhthong.reports.models import Verdict

    made = report(
        claim="Tin nhắn báo tỉnh phát tiền hỗ trợ 2 triệu đồng, bấm vào liên kết để nhận",
        links=["https://www.facebook.com/ho-tro-tien/posts/789"],
    )
    handler = handler_user()
    handling.decide(
        made.case,
        actor=handler,
        verdict=Verdict.FABRICATED,
        finding="Sở Tài chính tỉnh Quảng Ninh xác nhận không có chương trình này.",
    )
    rebuttals.publish_rebuttal(
        made.case,
        actor=handler,
        title="Không có chương trình phát tiền hỗ trợ 2 triệu đồng",
        text="Tỉnh **không** phát tiền qua liên kết. Không bấm vào liên kết lạ.",
    )
    made.refresh_from_db()
    return made
