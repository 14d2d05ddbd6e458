"""Samples that must stay unknown: official names and links from a stranger, an ordinary
newsletter, a click-tracking mailer and an official sender nothing confirmed."""

from eml_building import RECEIVER, STRANGER, Sample, auth, message, to_bytes


def unknown_samples() -> list[Sample]:
    """Neither proven official nor caught, in the order eml_cases.jsonl lists them."""
    return [
        Sample(
            "official_links_from_stranger.eml",
            "unknown",
            "official_decoration",
            to_bytes(
                message(
                    "Thông báo từ UBND tỉnh",
                    STRANGER,
                    headers={"Reply-To": "vanphong@quangninh.gov.vn"},
                    html='<a href="https://www.quangninh.gov.vn/">www.quangninh.gov.vn</a>',
                )
            ),
            ("official_mail_domain", "official_subdomain"),
        ),
        Sample(
            "benign_newsletter.eml",
            "unknown",
            "benign_unknown",
            to_bytes(
                message(
                    "Bản tin tháng 2",
                    STRANGER,
                    auth=auth("pass", domain="shop-example.com"),
                    html='<p><a href="https://www.shop-example.com/tin">Đọc tiếp</a> '
                    '<a href="https://shop-example.com/huy">shop-example.com/huy</a></p>',
                )
            ),
            ("address_not_registered",),
        ),
        Sample(  # a brand's name and links, sent and counted through its mailing service
            "newsletter_click_tracking.eml",
            "unknown",
            "click_tracking",
            to_bytes(
                message(
                    "Bản tin tháng 3",
                    "Shop-Example.com <tin@mailer.bulk-mail.example>",
                    auth=auth("pass", domain="mailer.bulk-mail.example"),
                    html='<p><a href="https://click.bulk-mail.example/t/9">'
                    "www.shop-example.com/khuyen-mai</a></p>",
                )
            ),
            ("link_text_elsewhere", "display_name_site"),
        ),
        Sample(  # the receiving server checked and nothing passed for the official domain
            "official_unconfirmed.eml",
            "unknown",
            "official_unconfirmed",
            to_bytes(
                message(
                    "Thông báo nộp hồ sơ",
                    "Văn phòng UBND tỉnh Quảng Ninh <vanphong@quangninh.gov.vn>",
                    auth=f"{RECEIVER}; spf=none smtp.mailfrom=quangninh.gov.vn; dkim=none; "
                    "dmarc=none header.from=quangninh.gov.vn",
                )
            ),
            ("unconfirmed_official_sender",),
        ),
    ]
