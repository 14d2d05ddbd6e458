"""What may serve as the emblem and the site icon is read from the bytes themselves."""

import pytest

from chinhthong.portal import images
from tests.portal import pictures


@pytest.mark.parametrize(
    ("data", "content_type", "size"),
    [
        (pictures.png(64, 48), "image/png", (64, 48)),
        (pictures.jpeg(), "image/jpeg", (48, 40)),
        (pictures.webp(), "image/webp", (48, 40)),
        (pictures.gif(20, 30), "image/gif", (20, 30)),
    ],
    ids=["png", "jpeg", "webp", "gif"],
)
def test_an_emblem_of_each_accepted_type_is_read_with_its_size(data, content_type, size):
    image = images.check_image(data, images.EMBLEM)
    assert (image.content_type, (image.width, image.height)) == (content_type, size)


def test_a_site_icon_is_png_or_ico():
    assert images.check_image(pictures.ico(size=32), images.FAVICON).content_type == "image/x-icon"
    assert images.check_image(pictures.png(32, 32), images.FAVICON).content_type == "image/png"
    for refused in (pictures.jpeg(), pictures.ico()[:30]):  # the icon's image lies outside it
        with pytest.raises(images.ImageRejected, match="PNG, ICO"):
            images.check_image(refused, images.FAVICON)


def test_svg_is_refused_whatever_it_is_called():
    for data in (pictures.SVG, b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg'/>"):
        with pytest.raises(images.ImageRejected, match="SVG"):
            images.check_image(data, images.EMBLEM)


@pytest.mark.parametrize(
    "data",
    [
        pictures.png()[:40],  # cut short: no end
        b"\x89PNG\r\n\x1a\n" + b"\0" * 100,  # a signature and nothing else
        pictures.jpeg()[:300],
        pictures.webp()[:-10],  # the RIFF size no longer matches
        pictures.gif()[:-1],
        b"MZ\x90\x00" + b"\0" * 200,  # a Windows program
        b"%PDF-1.7\n" + b"\0" * 200,
    ],
    ids=["png-cut", "png-empty", "jpeg-cut", "webp-cut", "gif-cut", "exe", "pdf"],
)
def test_damaged_or_other_files_are_refused(data):
    with pytest.raises(images.ImageRejected, match="PNG, JPEG, WebP, GIF"):
        images.check_image(data, images.EMBLEM)


def test_size_limits_in_bytes_and_pixels():
    with pytest.raises(images.ImageRejected, match="160 KB"):
        images.check_image(pictures.png() + b"\0" * images.MAX_BYTES[images.EMBLEM], "emblem")
    with pytest.raises(images.ImageRejected, match="8×8"):
        images.check_image(pictures.png(8, 8), images.EMBLEM)
    with pytest.raises(images.ImageRejected, match="5000×20"):
        images.check_image(pictures.gif(5000, 20), images.EMBLEM)
    with pytest.raises(images.ImageRejected, match="Tệp trống"):
        images.check_image(b"", images.EMBLEM)
