"""Dangerous attachments must not pass unseen: the attacker tests of the hardening issue,
replayed through the engine's email check (and, for the deadline, through the attachment
inspection it drives).

(names as mail programs decode them are in test_mail_attachment_names.py)
2. archives inside archives are looked into, for every compression method, and bombs of every
   kind are told, never crash;
3. nested inspection stops at the message's deadline.

Archives are built here by code (zipfile, py7zr, the corpus generator's RAR writer, and a
few bytes of zip by hand for the methods zipfile cannot write); nothing is mocked.
"""

import bz2
import io
import itertools
import lzma
import random
import struct
import tracemalloc
import zipfile
import zlib

import inflate64
import py7zr
import pytest

from chinhthong.verify.mail import MAX_SECONDS, check_message
from chinhthong.verify.mail_archives import Budget, inspect_attachment
from chinhthong.verify.reasons import TEXTS, english
from chinhthong.verify.results import Verdict
from tests.verify.attachment_mail import (
    ENGINE,
    OFFICIAL,
    PDF,
    PE,
    SAMPLES,
    attached,
    found,
    reasons_of,
)


# --- archives ---------------------------------------------------------------------------------
def zip_of(members, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2022, 2, 7, 8, 30, 0))
            info.compress_type = method
            archive.writestr(info, content)
    return buffer.getvalue()


def hand_zip(members) -> bytes:
    """A zip written byte by byte: (name, content, method, compressed bytes, declared size),
    for the methods zipfile cannot write and for sizes that lie."""
    out, central = bytearray(), bytearray()
    for name, content, method, packed, declared in members:
        encoded, crc, offset = name.encode(), zlib.crc32(content), len(out)
        sizes = (crc, len(packed), declared, len(encoded))
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x5421, *sizes, 0)
        out += encoded + packed
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x5421, *sizes, 0, 0, 0,
            0, 0, offset,
        )  # fmt: skip
        central += encoded
    count, start = len(members), len(out)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central), start, 0)
    return bytes(out + central + end)


def deflate64(data: bytes) -> bytes:
    deflater = inflate64.Deflater()
    return deflater.deflate(data) + deflater.flush()


def seven_zip(members, filters=None) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", filters=filters) as archive:
        for name, content in members:
            archive.writestr(content, name)
    return buffer.getvalue()


def rar(members) -> bytes:
    return SAMPLES.rar4(members)


PACK = {"zip": zip_of, "7z": seven_zip, "rar": rar}


def nest(payload: tuple[str, bytes], *names: str) -> tuple[str, bytes]:
    """nest(("virus.exe", PE), "a.zip", "b.7z") -> ("a.zip", zip holding b.7z holding virus)."""
    name, data = payload
    for archive in reversed(names):
        data, name = PACK[archive.rsplit(".", 1)[1]]([(name, data)]), archive
    return name, data


# --- 2. archives inside archives --------------------------------------------------------------
NESTINGS = [
    ("outer.zip", "inner.zip"),
    ("outer.zip", "inner.7z"),
    ("outer.zip", "inner.rar"),
    ("outer.7z", "inner.zip"),
    ("outer.7z", "inner.7z"),
    ("outer.rar", "inner.zip"),
    ("outer.rar", "inner.7z"),
]


@pytest.mark.parametrize("names", NESTINGS, ids=["›".join(n) for n in NESTINGS])
def test_program_inside_an_archive_inside_an_archive_is_named_by_its_path(names):
    name, data = nest(("payload.exe", PE), *names)
    result = check_message(ENGINE, attached(name, data))
    assert result.verdict is Verdict.SUSPICIOUS
    assert found(result, "archive_contains") == [
        {"name": names[0], "member": f"{names[1]} › payload.exe", "count": "1"}
    ]


@pytest.mark.parametrize("names", NESTINGS, ids=["›".join(n) for n in NESTINGS])
def test_program_renamed_as_a_document_inside_nested_archives_is_found(names):
    name, data = nest(("baocao.pdf", PE), *names)
    result = check_message(ENGINE, attached(name, data))
    assert found(result, "archive_contains") == [
        {"name": names[0], "member": f"{names[1]} › baocao.pdf", "count": "1"}
    ]


def test_three_levels_inside_the_attachment_are_looked_into():
    name, data = nest(("hoadon.pdf", PE), "outer.zip", "a.7z", "b.rar", "c.zip")
    result = check_message(ENGINE, attached(name, data))
    assert found(result, "archive_contains") == [
        {"name": "outer.zip", "member": "a.7z › b.rar › c.zip › hoadon.pdf", "count": "1"}
    ]


def test_nesting_deeper_than_the_limit_is_suspicious():
    name, data = nest(("ghichu.txt", b"ghi chu"), *(f"l{n}.zip" for n in range(1, 9)))
    result = check_message(ENGINE, attached(name, data))
    assert result.verdict is Verdict.SUSPICIOUS
    (too_deep,) = found(result, "archive_too_deep")
    assert too_deep == {"name": "l1.zip › l2.zip › l3.zip › l4.zip › l5.zip", "limit": "4"}


def test_clean_nested_archives_raise_nothing():
    name, data = nest(("congvan.pdf", PDF), "hoso.zip", "phuluc.7z", "bang.zip")
    auth = SAMPLES.auth("pass")
    result = check_message(ENGINE, attached(name, data, sender=OFFICIAL, auth=auth))
    assert result.verdict is Verdict.OFFICIAL, reasons_of(result)
    assert [r.code for r in result.reasons] == ["email_checked"]  # what was judged, no finding


def test_locked_archive_inside_an_archive_is_told():
    inner = SAMPLES.zip_of([("hoadon.pdf", PDF)], encrypted=True)
    result = check_message(ENGINE, attached("hoso.zip", zip_of([("hoadon.zip", inner)])))
    assert found(result, "encrypted_archive") == [{"name": "hoso.zip › hoadon.zip"}]


# Every compression method of zip members: the members were skipped for bzip2 and lzma.
ZIP_METHODS = {
    "bzip2": lambda name, data: zip_of([(name, data)], zipfile.ZIP_BZIP2),
    "lzma": lambda name, data: zip_of([(name, data)], zipfile.ZIP_LZMA),
    "deflate64": lambda name, data: hand_zip([(name, data, 9, deflate64(data), len(data))]),
}


@pytest.mark.parametrize("method", ZIP_METHODS)
def test_zip_members_of_every_method_are_sniffed(method):
    data = ZIP_METHODS[method]("baocao.txt", PE + b"\x00" * 5000)
    result = check_message(ENGINE, attached("baocao.zip", data))
    assert found(result, "archive_contains") == [
        {"name": "baocao.zip", "member": "baocao.txt", "count": "1"}
    ]


@pytest.mark.parametrize("method", ZIP_METHODS)
def test_archives_compressed_with_every_zip_method_are_looked_into(method):
    inner = zip_of([("scan.jpg", PE)])
    result = check_message(ENGINE, attached("hoso.zip", ZIP_METHODS[method]("anh.zip", inner)))
    assert found(result, "archive_contains") == [
        {"name": "hoso.zip", "member": "anh.zip › scan.jpg", "count": "1"}
    ]


SEVEN_ZIP_FILTERS = {
    "lzma2": [{"id": py7zr.FILTER_LZMA2}],
    "lzma": [{"id": py7zr.FILTER_LZMA}],
    "bzip2": [{"id": py7zr.FILTER_BZIP2}],
    "deflate": [{"id": py7zr.FILTER_DEFLATE}],
    "ppmd": [{"id": py7zr.FILTER_PPMD}],
    "zstd": [{"id": py7zr.FILTER_ZSTD}],
    "brotli": [{"id": py7zr.FILTER_BROTLI}],
    "copy": [{"id": py7zr.FILTER_COPY}],
    "bcj+lzma2": [{"id": py7zr.FILTER_X86}, {"id": py7zr.FILTER_LZMA2}],
}


@pytest.mark.parametrize("method", SEVEN_ZIP_FILTERS)
def test_7z_members_of_every_method_are_sniffed(method):
    members = [("ghichu.txt", b"ghi chu " * 300), ("baocao.pdf", PE + b"\x00" * 5000)]
    data = seven_zip(members, SEVEN_ZIP_FILTERS[method])
    result = check_message(ENGINE, attached("tailieu.7z", data))
    assert found(result, "archive_contains") == [
        {"name": "tailieu.7z", "member": "baocao.pdf", "count": "1"}
    ]


def test_program_inside_a_stored_rar_is_sniffed():
    result = check_message(ENGINE, attached("anh.rar", rar([("anh.jpg", PE)])))
    assert found(result, "archive_contains") == [
        {"name": "anh.rar", "member": "anh.jpg", "count": "1"}
    ]


# Bombs: told as suspicious, naming the archive and why; never a crash.
def test_bomb_inside_an_archive_is_named_by_its_path():
    bomb = zip_of([("dulieu.csv", b"\x00" * (5 * 1024 * 1024))])
    result = check_message(ENGINE, attached("hoso.zip", zip_of([("dulieu.zip", bomb)])))
    assert result.verdict is Verdict.SUSPICIOUS
    (told,) = found(result, "archive_bomb")
    assert told["name"] == "hoso.zip › dulieu.zip"
    assert told["detail"].startswith("dulieu.csv: ratio")


def test_7z_bomb_is_told():
    data = seven_zip([("dulieu.csv", b"\x00" * (20 * 1024 * 1024))])
    result = check_message(ENGINE, attached("dulieu.7z", data))
    (told,) = found(result, "archive_bomb")
    assert told["name"] == "dulieu.7z" and told["detail"].startswith("ratio")


def test_too_many_members_over_all_nested_archives_is_a_bomb():
    inner = zip_of([(f"{n}.txt", b"") for n in range(900)], zipfile.ZIP_STORED)
    outer = zip_of([(f"phan{n}.zip", inner) for n in range(12)], zipfile.ZIP_STORED)
    result = check_message(ENGINE, attached("hoso.zip", outer))
    (told,) = found(result, "archive_bomb")
    assert told["detail"] == "more than 10000 members in nested archives"


def test_exhausted_budget_is_told_naming_the_archive():
    noise = random.Random(7).randbytes(3 * 1024 * 1024)  # incompressible: ratio 1
    inner = [
        (f"anh{n}.zip", zip_of([(f"anh{n}.jpg", noise)], zipfile.ZIP_STORED)) for n in range(3)
    ]
    result = check_message(ENGINE, attached("anh.zip", zip_of(inner, zipfile.ZIP_STORED)))
    assert result.verdict is Verdict.SUSPICIOUS
    (told,) = found(result, "archive_partly_checked")
    assert told["name"] == "anh.zip"


def test_sizes_that_lie_cannot_make_decompression_unbounded():
    """A bzip2 member that declares 2 KB but holds 64 MB of zeros, and an inner "zip" that
    declares 1 MB but holds 64 MB: reading stops at the declared size."""
    zeros = b"\x00" * (64 * 1024 * 1024)
    liar = hand_zip([("baocao.txt", b"", 12, bz2.compress(zeros), 2048)])
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflater.compress(b"PK\x03\x04") + deflater.compress(zeros) + deflater.flush()
    outer = hand_zip([("dulieu.zip", b"", 8, packed, 1024 * 1024)])
    del zeros
    for name, data in (("baocao.zip", liar), ("hoso.zip", outer)):
        raw = attached(name, data)
        tracemalloc.start()
        result = check_message(ENGINE, raw)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 16 * 1024 * 1024, (name, peak)
        assert result.kind == "email"


def test_lzma_dictionary_too_large_is_not_allocated():
    """LZMA's properties name the dictionary the decoder allocates: a member asking for 4 GB
    is not decompressed, and the archive is told as not checked completely."""
    packed = lzma.compress(PE, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1}])
    props = struct.pack("<BI", 93, 0xFFFFFFFF)
    member = struct.pack("<BBH", 9, 20, 5) + props + packed
    result = check_message(ENGINE, attached("x.zip", hand_zip([("a.txt", PE, 14, member, 5)])))
    assert found(result, "archive_partly_checked") == [
        {"name": "x.zip", "detail": "a.txt: cannot unpack (method 14)"}
    ]


def test_new_reasons_read_as_sentences():
    name, data = nest(("ghichu.txt", b"ghi chu"), *(f"l{n}.zip" for n in range(1, 9)))
    result = check_message(ENGINE, attached(name, data))
    for item in result.reasons:
        assert item.code in TEXTS
        assert "%(" not in english(item.code, item.params_dict)


# --- 3. the deadline --------------------------------------------------------------------------
def counting_clock():
    """A clock that advances one "second" each time it is read."""
    return itertools.count().__next__


def nested_payload() -> tuple[str, bytes]:
    return nest(("hoadon.pdf", PE), "hoso.zip", "a.7z", "b.zip", "c.rar")


def test_nested_inspection_stops_at_the_deadline():
    name, data = nested_payload()
    budget = Budget(deadline=-1.0, seconds=MAX_SECONDS, clock=counting_clock())
    found_reasons = inspect_attachment(name, data, budget)
    assert [(r.code, r.params_dict) for r in found_reasons] == [
        ("too_slow", {"limit": str(MAX_SECONDS)})
    ]


def test_the_deadline_is_checked_at_every_level_of_nesting():
    name, data = nested_payload()
    clock = counting_clock()
    budget = Budget(deadline=10**9, seconds=MAX_SECONDS, clock=clock)
    complete = inspect_attachment(name, data, budget)
    assert [r.code for r in complete] == ["archive_contains"]
    reads = clock()
    assert reads > 4  # at least once per level
    for deadline in range(reads - 1):
        budget = Budget(deadline=deadline, seconds=MAX_SECONDS, clock=counting_clock())
        cut = inspect_attachment(name, data, budget)
        assert "too_slow" in {r.code for r in cut}, deadline


def test_a_compressed_rar_member_that_cannot_be_unpacked_is_said_so():
    """Without unrar (or with a damaged member) a compressed RAR member cannot be looked
    into: the archive is reported as only partly checked, never passed as clean."""
    inner = zip_of([("virus.exe", PE)])
    data = SAMPLES.rar4([("hoso.zip", inner), ("anh.zip", inner)], method=0x33)
    found = inspect_attachment("tailieu.rar", data, Budget())
    partly = [r for r in found if r.code == "archive_partly_checked"]
    assert len(partly) == 1 and partly[0].verdict is Verdict.SUSPICIOUS
    assert partly[0].params_dict["name"] == "tailieu.rar"
