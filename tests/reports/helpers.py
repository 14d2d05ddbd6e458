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
    submission = intake.Submission(claim=claim, links=list(links), files=list(files), **fields)
    return intake.submit(submission, intake=fields.pop("intake", Intake.WEB))
