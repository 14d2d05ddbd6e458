"""Samples about attachments: programs, disguised names and contents, shortcuts, disk
images, scripts, macro documents and archives (zip, 7z, RAR) holding them."""

from eml_attachment_bytes import LNK, PDF, PE, iso_image, ole_with_vba, rar4, seven_zip, zip_of
from eml_building import OFFICIAL, STRANGER, Sample, auth, message, to_bytes


def attachment_samples() -> list[Sample]:
    """Dangerous and disguised attachments, in the order eml_cases.jsonl lists them."""
    return [
        Sample(
            "dangerous_exe.eml",
            "suspicious",
            "dangerous_attachment",
            to_bytes(
                message(
                    "Phần mềm",
                    STRANGER,
                    attachments=(("setup.exe", PE, "application/octet-stream"),),
                )
            ),
            ("dangerous_attachment",),
        ),
        Sample(
            "double_extension.eml",
            "suspicious",
            "double_extension",
            to_bytes(
                message("Hồ sơ", STRANGER, attachments=(("hoso.pdf.exe", PE, "application/pdf"),))
            ),
            ("disguised_attachment", "dangerous_attachment"),
        ),
        Sample(
            "rlo_name.eml",
            "suspicious",
            "rlo_name",
            to_bytes(
                message(
                    "Bảng lương",
                    STRANGER,
                    attachments=(("bangluong\u202efdp.scr", PE, "application/octet-stream"),),
                )
            ),
            ("disguised_attachment", "dangerous_attachment"),
        ),
        Sample(
            "pe_named_pdf.eml",
            "suspicious",
            "pe_as_pdf",
            to_bytes(
                message("Công văn", STRANGER, attachments=(("congvan.pdf", PE, "application/pdf"),))
            ),
            ("disguised_attachment", "dangerous_attachment"),
        ),
        Sample(
            "shortcut_lnk.eml",
            "suspicious",
            "shortcut",
            to_bytes(
                message(
                    "Tài liệu",
                    STRANGER,
                    attachments=(("tailieu.lnk", LNK, "application/octet-stream"),),
                )
            ),
            ("dangerous_attachment",),
        ),
        Sample(
            "disk_image_iso.eml",
            "suspicious",
            "disk_image",
            to_bytes(
                message(
                    "Hóa đơn",
                    STRANGER,
                    attachments=(("hoadon.iso", iso_image(), "application/x-iso9660-image"),),
                )
            ),
            ("dangerous_attachment",),
        ),
        Sample(
            "script_js.eml",
            "suspicious",
            "script_attachment",
            to_bytes(
                message(
                    "Thông báo",
                    STRANGER,
                    attachments=(
                        ("thongbao.js", b"WScript.Shell.Run('x')", "application/javascript"),
                    ),
                )
            ),
            ("dangerous_attachment",),
        ),
        Sample(
            "macro_docm.eml",
            "suspicious",
            "macro_extension",
            to_bytes(
                message(
                    "Biểu mẫu",
                    STRANGER,
                    attachments=(
                        (
                            "bieumau.docm",
                            zip_of([("[Content_Types].xml", b"<Types/>")]),
                            "application/vnd.ms-word.document.macroEnabled.12",
                        ),
                    ),
                )
            ),
            ("macro_document",),
        ),
        Sample(
            "ole_vba_macro_doc.eml",
            "suspicious",
            "ole_vba_macro",
            to_bytes(
                message(
                    "Danh sách",
                    STRANGER,
                    attachments=(("danhsach.doc", ole_with_vba(), "application/msword"),),
                )
            ),
            ("macro_document",),
        ),
        Sample(
            "ooxml_vba_in_docx.eml",
            "suspicious",
            "ooxml_vba_hidden",
            to_bytes(
                message(
                    "Kế hoạch",
                    STRANGER,
                    attachments=(
                        (
                            "kehoach.docx",
                            zip_of(
                                [
                                    ("[Content_Types].xml", b"<Types/>"),
                                    ("word/document.xml", b"<w:document/>"),
                                    ("word/vbaProject.bin", ole_with_vba()),
                                ]
                            ),
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        ),
                    ),
                )
            ),
            ("macro_document",),
        ),
        Sample(
            "official_clean_docx.eml",
            "official",
            "official_clean_document",
            to_bytes(
                message(
                    "Kế hoạch tuần",
                    OFFICIAL,
                    auth=auth("pass"),
                    attachments=(
                        (
                            "kehoach.docx",
                            zip_of(
                                [
                                    ("[Content_Types].xml", b"<Types/>"),
                                    ("word/document.xml", b"<w:document/>"),
                                ]
                            ),
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        ),
                        ("congvan.pdf", PDF, "application/pdf"),
                    ),
                )
            ),
            ("official_mail_domain",),
            channel="mail-thu-cong-vu-quang-ninh",
        ),
        Sample(
            "zip_with_exe.eml",
            "suspicious",
            "zip_executable",
            to_bytes(
                message(
                    "Ảnh",
                    STRANGER,
                    attachments=(
                        ("anh.zip", zip_of([("anh/IMG_2022.jpg.exe", PE)]), "application/zip"),
                    ),
                )
            ),
            ("archive_contains",),
        ),
        Sample(
            "zip_with_hidden_pe.eml",
            "suspicious",
            "zip_content_sniff",
            to_bytes(
                message(
                    "Báo cáo",
                    STRANGER,
                    attachments=(("baocao.zip", zip_of([("baocao.txt", PE)]), "application/zip"),),
                )
            ),
            ("archive_contains",),
        ),
        Sample(
            "zip_encrypted.eml",
            "suspicious",
            "encrypted_zip",
            to_bytes(
                message(
                    "Hóa đơn (mật khẩu 1234)",
                    STRANGER,
                    attachments=(
                        (
                            "hoadon.zip",
                            zip_of([("hoadon.pdf", PDF)], encrypted=True),
                            "application/zip",
                        ),
                    ),
                )
            ),
            ("encrypted_archive",),
        ),
        Sample(
            "zip_bomb.eml",
            "suspicious",
            "zip_bomb",
            to_bytes(
                message(
                    "Dữ liệu",
                    STRANGER,
                    attachments=(
                        (
                            "dulieu.zip",
                            zip_of([("dulieu.csv", b"\x00" * (5 * 1024 * 1024))]),
                            "application/zip",
                        ),
                    ),
                )
            ),
            ("archive_bomb",),
        ),
        Sample(
            "zip_named_pdf.eml",
            "suspicious",
            "zip_as_pdf",
            to_bytes(
                message(
                    "Hồ sơ",
                    STRANGER,
                    attachments=(("hoso.pdf", zip_of([("hoso.scr", PE)]), "application/pdf"),),
                )
            ),
            ("disguised_attachment", "archive_contains"),
        ),
        Sample(
            "seven_zip_with_exe.eml",
            "suspicious",
            "7z_executable",
            to_bytes(
                message(
                    "Tài liệu",
                    STRANGER,
                    attachments=(
                        (
                            "tailieu.7z",
                            seven_zip([("tailieu.pdf.exe", PE)]),
                            "application/x-7z-compressed",
                        ),
                    ),
                )
            ),
            ("archive_contains",),
        ),
        Sample(
            "seven_zip_encrypted.eml",
            "suspicious",
            "7z_encrypted",
            to_bytes(
                message(
                    "Tài liệu mật",
                    STRANGER,
                    attachments=(
                        (
                            "tailieu.7z",
                            seven_zip([("tailieu.exe", PE)], password="1234"),
                            "application/x-7z-compressed",
                        ),
                    ),
                )
            ),
            ("encrypted_archive",),
        ),
        Sample(
            "rar_with_scr.eml",
            "suspicious",
            "rar_executable",
            to_bytes(
                message(
                    "Ảnh đẹp",
                    STRANGER,
                    attachments=(("anh.rar", rar4([("anh.scr", PE)]), "application/vnd.rar"),),
                )
            ),
            ("archive_contains",),
        ),
        Sample(
            "rar_encrypted.eml",
            "suspicious",
            "rar_encrypted",
            to_bytes(
                message(
                    "Hợp đồng",
                    STRANGER,
                    attachments=(
                        (
                            "hopdong.rar",
                            rar4([("hopdong.pdf", PDF)], encrypted=True),
                            "application/vnd.rar",
                        ),
                    ),
                )
            ),
            ("encrypted_archive",),
        ),
        Sample(
            "html_named_pdf.eml",
            "suspicious",
            "html_as_pdf",
            to_bytes(
                message(
                    "Biên lai",
                    STRANGER,
                    attachments=(
                        (
                            "bienlai.pdf",
                            b"<!DOCTYPE html><html><form action='x'></form></html>",
                            "application/pdf",
                        ),
                    ),
                )
            ),
            ("disguised_attachment",),
        ),
    ]
