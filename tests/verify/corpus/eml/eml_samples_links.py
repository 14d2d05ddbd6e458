"""Samples about the links in a message: link text that names another site, look-alike and
embedded hosts, user-info, shortener, raw IP and script links."""

from eml_building import STRANGER, Sample, message, to_bytes


def link_samples() -> list[Sample]:
    """Deceptive links, in the order eml_cases.jsonl lists them."""
    return [
        Sample(
            "link_text_official.eml",
            "impersonation",
            "link_text_official",
            to_bytes(
                message(
                    "Xác thực tài khoản định danh",
                    STRANGER,
                    html='<p>Đăng nhập tại <a href="http://login-verify.example.top/dvc">'
                    "https://dichvucong.gov.vn/dang-nhap</a></p>",
                )
            ),
            ("link_text_official",),
            lookalike_of="web-dich-vu-cong-quoc-gia",
        ),
        Sample(  # the link hides where it goes: a mismatch that can mislead
            "link_text_mismatch.eml",
            "suspicious",
            "link_text_mismatch",
            to_bytes(
                message(
                    "Đơn hàng của bạn",
                    STRANGER,
                    html='<a href="https://bit.ly/3donhang">www.shop-example.com/don-hang</a>',
                )
            ),
            ("link_text_mismatch", "shortener"),
        ),
        Sample(
            "lookalike_link_text_plain.eml",
            "impersonation",
            "lookalike_link",
            to_bytes(
                message(
                    "Phạt nguội",
                    STRANGER,
                    text="Tra cứu vi phạm tại gplx-gov.vn/tra-cuu trước ngày 10/2.\n",
                )
            ),
            ("hyphen_for_dot",),
            lookalike_of="web-giay-phep-lai-xe",
        ),
        Sample(
            "embedded_host_form.eml",
            "impersonation",
            "embedded_host_form",
            to_bytes(
                message(
                    "Cập nhật bảo hiểm",
                    STRANGER,
                    html='<form action="https://baohiemxahoi.gov.vn.tracuu.info/login" '
                    'method="post"><input name="cccd"><button>Gửi</button></form>',
                )
            ),
            ("embedded_host",),
            lookalike_of="web-bao-hiem-xa-hoi",
        ),
        Sample(
            "userinfo_link.eml",
            "impersonation",
            "userinfo_link",
            to_bytes(
                message(
                    "Cổng thông tin tỉnh",
                    STRANGER,
                    text="Truy cập https://quangninh.gov.vn@evil.example.top/tin-tuc\n",
                )
            ),
            ("url_userinfo",),
            lookalike_of="web-cong-ttdt-quang-ninh",
        ),
        Sample(
            "shortener_link.eml",
            "suspicious",
            "shortener_link",
            to_bytes(message("Nhận quà", STRANGER, text="Bấm vào https://bit.ly/3abcXYZ\n")),
            ("shortener",),
        ),
        Sample(
            "raw_ip_link.eml",
            "suspicious",
            "raw_ip_link",
            to_bytes(
                message(
                    "Hộp thư đầy",
                    STRANGER,
                    html='<a href="http://203.0.113.9/owa/">Nâng cấp</a>',
                )
            ),
            ("raw_ip",),
        ),
        Sample(
            "script_link.eml",
            "suspicious",
            "script_link",
            to_bytes(
                message(
                    "Xem tài liệu",
                    STRANGER,
                    html='<a href="javascript:document.location=1">Xem</a>',
                )
            ),
            ("script_url",),
        ),
    ]
