"""Samples about who a message says it is from: official senders proven or not by the
receiving server's Authentication-Results, forged and look-alike senders, display names,
Reply-To, Sender and Return-Path."""

from eml_attachment_bytes import PDF
from eml_building import OFFICIAL, STRANGER, Sample, auth, message, to_bytes


def sender_samples() -> list[Sample]:
    """Official, forged and look-alike senders, in the order eml_cases.jsonl lists them."""
    return [
        Sample(
            "official_bulletin.eml",
            "official",
            "official_sender",
            to_bytes(
                message(
                    "Thông báo lịch tiếp công dân",
                    OFFICIAL,
                    auth=auth("pass"),
                    text="Xem chi tiết tại https://congchuc.quangninh.gov.vn/thong-bao/123\n",
                    html='<p>Xem chi tiết tại <a href="https://congchuc.quangninh.gov.vn/thong-bao/123">'
                    "congchuc.quangninh.gov.vn</a></p>",
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(  # an official From line that no receiving server confirmed proves nothing
            "official_no_auth_results.eml",
            "unknown",
            "official_no_auth",
            to_bytes(message("Khuyến cáo phòng bệnh", "Bộ Y tế <truyenthong@moh.gov.vn>")),
            ("unauthenticated_sender",),
        ),
        Sample(
            "official_subdomain_sender.eml",
            "official",
            "official_subdomain_sender",
            to_bytes(
                message(
                    "Giấy mời họp",
                    "Sở TTTT <vanthu@stttt.quangninh.gov.vn>",
                    auth=auth("pass", domain="stttt.quangninh.gov.vn"),
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "official_safelinks.eml",
            "official",
            "redirect_wrapper",
            to_bytes(
                message(
                    "Cổng thông tin",
                    OFFICIAL,
                    auth=auth("pass"),
                    html='<a href="https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2F'
                    'www.quangninh.gov.vn%2F&amp;data=05">www.quangninh.gov.vn</a>',
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "forged_dmarc_fail.eml",
            "impersonation",
            "forged_dmarc",
            to_bytes(
                message("Cập nhật thông tin cán bộ", OFFICIAL, auth=auth("fail", "fail", "none"))
            ),
            ("forged_official_sender",),
            lookalike_of="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "forged_who.eml",
            "impersonation",
            "forged_dmarc",
            to_bytes(
                message(
                    "How to avoid infection",
                    "World Health Organization <alert@who.int>",
                    auth=auth("fail", "softfail", "none", domain="who.int"),
                    attachments=(("huong-dan.pdf", PDF, "application/pdf"),),
                )
            ),
            ("forged_official_sender",),
            lookalike_of="mail-who",
        ),
        Sample(
            "forged_with_fake_pass_below.eml",
            "impersonation",
            "forged_auth_header_below",
            to_bytes(
                message(
                    "Công văn khẩn",
                    OFFICIAL,
                    auth=[auth("fail", "fail", "none"), auth("pass", server="attacker.example")],
                )
            ),
            ("forged_official_sender",),
            lookalike_of="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "official_upstream_fail_ignored.eml",
            "official",
            "upstream_auth_ignored",
            to_bytes(
                message(
                    "Lịch công tác tuần",
                    OFFICIAL,
                    auth=[auth("pass"), auth("fail", "fail", "fail", server="relay.example.net")],
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "unverified_official_sender.eml",
            "suspicious",
            "unverified_official",
            to_bytes(message("Hồ sơ nhân sự", OFFICIAL, auth=auth("none", "fail", "none"))),
            ("unverified_official_sender",),
        ),
        Sample(
            "lookalike_sender_combosquat.eml",
            "impersonation",
            "lookalike_sender",
            to_bytes(message("Thông báo khẩn", "Thư công vụ <thongbao@quangninh-gov.vn>")),
            ("lookalike_sender",),
            lookalike_of="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "lookalike_sender_suffix.eml",
            "impersonation",
            "lookalike_sender",
            to_bytes(message("Hỗ trợ người dân", "Cổng Chính phủ <hotro@chinhphu.com>")),
            ("lookalike_sender",),
            lookalike_of="mail-chinh-phu",
        ),
        Sample(
            "display_name_agency.eml",
            "impersonation",
            "display_name",
            to_bytes(message("Khuyến cáo tiêm chủng", "Bộ Y tế <boyte.thongbao@gmail.com>")),
            ("display_name",),
            lookalike_of="mail-bo-y-te",
        ),
        Sample(
            "display_name_address.eml",
            "impersonation",
            "display_name_address",
            to_bytes(
                message(
                    "Văn bản mới",
                    '"vanphong@quangninh.gov.vn" <vp.quangninh@outlook.example>',
                )
            ),
            ("display_name_address",),
            lookalike_of="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "reply_to_elsewhere.eml",
            "suspicious",
            "reply_to_elsewhere",
            to_bytes(
                message(
                    "Xác nhận danh sách",
                    OFFICIAL,
                    auth=auth("pass"),
                    headers={"Reply-To": "vanphong.quangninh@gmail.com"},
                )
            ),
            ("reply_to_elsewhere",),
        ),
        Sample(
            "auth_failed_stranger.eml",
            "suspicious",
            "auth_failed",
            to_bytes(
                message(
                    "Khuyến mãi",
                    STRANGER,
                    auth=auth("fail", "fail", "fail", domain="shop-example.com"),
                )
            ),
            ("auth_failed",),
        ),
        Sample(
            "sender_header_lookalike.eml",
            "impersonation",
            "sender_header_lookalike",
            to_bytes(
                message(
                    "Thông tin dịch bệnh",
                    STRANGER,
                    headers={"Sender": "tin@moh-gov.vn"},
                )
            ),
            ("lookalike_sender",),
            lookalike_of="mail-bo-y-te",
        ),
        Sample(
            "return_path_lookalike.eml",
            "impersonation",
            "return_path_lookalike",
            to_bytes(
                message(
                    "Thông tin dịch bệnh",
                    STRANGER,
                    headers={"Return-Path": "<bounce@who-int.org>"},
                )
            ),
            ("lookalike_sender",),
            lookalike_of="mail-who",
        ),
    ]
