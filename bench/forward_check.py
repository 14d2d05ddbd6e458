""" "Có phải bản tin thật?" at scale: how fast a pasted forward is traced to its bulletin and
version among thousands, with the index of word shingles (bulletins/forwards.py), against the
plain way — comparing the forward with every published version by difflib.

    python bench/forward_check.py                       # 5,000 bulletins, 200 forwards
    python bench/forward_check.py --bulletins 1000 --forwards 50 --reference-forwards 10

Corpus (generated, seeded): bulletins of 120–400 words of Vietnamese syllables, a third of
them written from a dozen shared templates (daily updates that differ only in numbers and
places: the hard case for a candidate search), a fifth corrected once (a second version with a
number and a sentence changed). Forwards: a published version retyped without diacritics,
trimmed to an excerpt, with emoji, line breaks changed, a word altered and its link swapped —
the alterations the page must see through.

Printed: the index's build time and size, the time to add one publication to it (what a web
process does when one is published, instead of a rebuild), the forward check's time per forward (p50, p95,
max) and how many it traced to the very bulletin and version it was made from, or to one as
good (sharing as many of its words: the templated bulletins differ only in lines a forward
may have cut, a correction only in words it may not carry); the same for the reference on
--reference-forwards of the same forwards (it is slow). No Django: bulletins/forwards.py is
pure, and the page adds only the verifier's checks of links to this.

Worst case: a bulletin of 80,000 characters (Vietnamese sentences, "và" one word in 33) is
published into the index, and forwards made to be costly, each of the 20,000 characters the
form takes, are checked against it: 60 of its words then one word repeated (the reported
attack), the commonest word repeated, a phrase of it repeated, one letter a word, short lines,
no spaces, a long excerpt on one line, a word altered every four (past the exact budget).
Printed: the slowest, and the most steps the check counted (bulletins/alignment.py, Work).
"""

import argparse
import gc
import random
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from chinhthong.bulletins import diffs, forwards, rendering

SYLLABLES = (
    "người dân cần cảnh giác với các cuộc gọi tự xưng là công an tòa án viện kiểm sát yêu cầu "
    "chuyển tiền vào tài khoản để phục vụ điều tra không bấm vào đường link lạ không cung cấp "
    "mã OTP thông tin cá nhân khi phát hiện dấu hiệu lừa đảo báo ngay cho cơ quan chức năng gần "
    "nhất ủy ban nhân dân tỉnh Quảng Ninh thông báo lịch tiêm chủng vắc xin phòng bệnh cho trẻ "
    "em dưới năm tuổi tại trạm y tế phường xã thị trấn trong tuần từ thứ hai đến thứ sáu sở y tế "
    "khuyến cáo đeo khẩu trang rửa tay thường xuyên bão số ba đang di chuyển theo hướng tây bắc "
    "ngư dân không ra khơi tàu thuyền vào nơi trú ẩn an toàn mưa lớn gây ngập úng sạt lở đất tại "
    "các huyện miền núi học sinh nghỉ học giao thông tạm dừng trên tuyến đường quốc lộ điện lực "
    "cắt điện để sửa chữa lưới điện trung áp nước sạch được cấp lại từ sáng mai hội nghị trực "
    "tuyến về chuyển đổi số dịch vụ công trực tuyến định danh điện tử tài khoản VNeID"
).split()
EMOJI = ["🔥", "⚠️", "‼️", "👉", "📢", "🙏"]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(SYLLABLES) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random, words: int) -> str:
    paragraphs, left = [], words
    while left > 0:
        n = min(left, rng.randint(25, 60))
        paragraphs.append(" ".join(sentence(rng, k) for k in _split(rng, n)))
        left -= n
    return "\n\n".join(paragraphs)


def _split(rng: random.Random, n: int) -> list[int]:
    parts = []
    while n > 0:
        k = min(n, rng.randint(6, 14))
        parts.append(k)
        n -= k
    return parts


def corpus(n: int, seed: int) -> list[forwards.VersionText]:
    rng = random.Random(seed)
    templates = [body(rng, rng.randint(120, 300)) for _ in range(12)]
    versions = []
    for b in range(1, n + 1):
        if rng.random() < 1 / 3:  # a daily update from a template: numbers and places differ
            text = (
                rng.choice(templates)
                + f"\n\nNgày {b % 28 + 1}/{b % 12 + 1}: {b * 7} ca, phường số {b}."
            )
        else:
            text = body(rng, rng.randint(120, 400))
        title = sentence(rng, rng.randint(6, 12))[:-1]
        link = f"https://quangninh.gov.vn/tin/{b}"
        text = f"{title}\n\n{text}\n\nChi tiết tại {link}"
        versions.append(forwards.VersionText(b, f"ban-tin-{b}", 1, title, text))
        if rng.random() < 0.2:
            corrected = text.replace(" ca,", " ca mới,") + " " + sentence(rng, 10)
            versions.append(forwards.VersionText(b, f"ban-tin-{b}", 2, title, corrected))
    return versions


def strip_marks(text: str) -> str:
    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in bare if not unicodedata.combining(c)))


def forward_of(version: forwards.VersionText, rng: random.Random) -> str:
    words = version.text.split()
    start = rng.randint(0, len(words) // 4)
    end = rng.randint(start + len(words) // 2, len(words))
    excerpt = words[start:end]
    for _ in range(2):  # a word altered
        i = rng.randrange(len(excerpt))
        excerpt[i] = rng.choice(SYLLABLES)
    if not any("quangninh.gov.vn" in w for w in excerpt):
        excerpt.append(f"https://quangninh.gov.vn/tin/{version.bulletin_id}")
    excerpt = [w.replace("quangninh.gov.vn", "quangninh-gov.vn") for w in excerpt]
    text = " ".join(excerpt)
    if rng.random() < 0.6:
        text = strip_marks(text)
    lines = text.split(". ")
    return f"{rng.choice(EMOJI)} " + ".\n".join(lines) + f" {rng.choice(EMOJI)}"


def long_text(rng: random.Random, chars: int) -> str:
    paragraphs, size = [], 0
    while size < chars:
        sentences = []
        for _ in range(rng.randint(3, 7)):
            words = [
                "và" if rng.random() < 0.03 else rng.choice(SYLLABLES)
                for _ in range(rng.randint(6, 14))
            ]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)


def costly_forwards(text: str, rng: random.Random) -> dict[str, str]:
    limit = forwards.MAX_FORWARD_CHARS
    words = text.split()
    middle = len(words) // 2
    sixty = " ".join(words[middle : middle + 60])

    def fill(head: str, unit: str, sep: str = " ") -> str:
        return head + (sep + unit) * ((limit - len(head)) // (len(sep) + len(unit)))

    def whole(taken: list[str]) -> str:
        return " ".join(taken)[: limit + 1].rsplit(" ", 1)[0]

    altered = [rng.choice(SYLLABLES) if n % 4 == 3 else w for n, w in enumerate(words[middle:])]
    return {
        "60 words + 'người' repeated": fill(sixty, "người"),
        "60 words + 'và' repeated": fill(sixty, "và"),
        "60 words + a phrase of it repeated": fill(sixty, " ".join(words[middle + 100 :][:12])),
        "60 words + one letter a word": fill(sixty, "a"),
        "60 words + short lines": fill(sixty, "và người", "\n"),
        "60 words + no spaces": sixty + " " + "người" * ((limit - len(sixty)) // 5 - 1),
        "an excerpt on one line": whole(words[1000:]),
        "a word altered every four": whole(altered),
    }


def worst_case(index: forwards.ForwardIndex, seed: int, bulletin: int) -> None:
    rng = random.Random(seed)
    text = long_text(rng, 80_000)
    index = index.with_bulletins([forwards.VersionText(bulletin, "dai", 1, "Dài", text)])
    slowest, name, steps = 0.0, "", 0
    costly = costly_forwards(text, rng)
    for label, forward in costly.items():
        started = time.perf_counter()
        analysis = forwards.analyse(forward, index)
        took = time.perf_counter() - started
        if took > slowest:
            slowest, name = took, label
        steps = max(steps, analysis.work.spent)
    print(
        f"worst case: {len(costly)} costly forwards of {forwards.MAX_FORWARD_CHARS:,} "
        f"characters against a bulletin of {len(text):,}: slowest {slowest * 1000:.0f} ms ({name}), "
        f"at most {steps:,} steps"
    )


def reference(text: str, versions: list[forwards.VersionText]) -> tuple[int, int]:
    """Compare with every version: the one sharing most words (difflib, as the page does)."""
    forward = [t.norm for t in diffs.words(diffs.tokens(text))]
    best, found = -1, (0, 0)
    for version in versions:
        source = forwards.norms(version.text)
        matcher = diffs.difflib.SequenceMatcher(None, source, forward, False)
        matched = sum(size for _a, _b, size in matcher.get_matching_blocks())
        if matched > best:
            best, found = matched, (version.bulletin_id, version.number)
    return found


def best_possible(text: str, version, by_bulletin) -> int:
    """The words the forward shares with the bulletin it was made from, at best."""
    own = forwards.ForwardIndex(by_bulletin[version.bulletin_id])
    match = forwards.analyse(text, own).match
    return match.matched_words if match else 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bulletins", type=int, default=5000)
    parser.add_argument("--forwards", type=int, default=200)
    parser.add_argument("--reference-forwards", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    versions = corpus(args.bulletins, args.seed)
    words = sum(len(v.text.split()) for v in versions)
    print(f"corpus: {args.bulletins:,} bulletins, {len(versions):,} versions, {words:,} words")

    gc.collect()
    started = time.perf_counter()
    index = forwards.ForwardIndex(versions)
    built = time.perf_counter() - started
    print(
        f"index: built in {built:.2f} s, {len(index.postings):,} postings "
        f"({index.postings.itemsize * len(index.postings) / 2**20:.1f} MB)"
    )
    extra = corpus(1, args.seed + 2)[0]
    extra = forwards.VersionText(args.bulletins + 1, "moi", 1, extra.title, extra.text)
    started = time.perf_counter()
    index.with_bulletins([extra])
    print(f"a publication added to it: {(time.perf_counter() - started) * 1000:.0f} ms")
    # What a rebuild also does per version in a web process (bulletins/queries.py): the text
    # of the sanitised body.
    bodies = [rendering.render(v.text) for v in versions]
    started = time.perf_counter()
    for html in bodies:
        diffs.plain_text(html)
    print(f"text of {len(bodies):,} bodies from their HTML: {time.perf_counter() - started:.2f} s")
    by_bulletin: dict[int, list] = {}
    for version in versions:
        by_bulletin.setdefault(version.bulletin_id, []).append(version)

    rng = random.Random(args.seed + 1)
    chosen = [rng.choice(versions) for _ in range(args.forwards)]
    texts = [forward_of(v, rng) for v in chosen]

    times, right, as_good = [], 0, 0
    for version, text in zip(chosen, texts, strict=True):
        started = time.perf_counter()
        match = forwards.analyse(text, index).match
        times.append(time.perf_counter() - started)
        right += bool(match) and (match.source.bulletin_id, match.source.number) == (
            version.bulletin_id,
            version.number,
        )
        as_good += bool(match) and match.matched_words >= best_possible(text, version, by_bulletin)
    print(
        f"shingle index: {args.forwards} forwards, p50 {percentile(times, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms; "
        f"the very bulletin and version {right}/{args.forwards}, a source as good as it "
        f"(the same words forwarded: a template's other day, a version the forward does not "
        f"tell apart) {as_good}/{args.forwards}"
    )

    worst_case(index, args.seed + 3, args.bulletins + 2)

    n = min(args.reference_forwards, args.forwards)
    ref_times, ref_right, ref_good = [], 0, 0
    for version, text in zip(chosen[:n], texts[:n], strict=True):
        started = time.perf_counter()
        found = reference(text, versions)
        ref_times.append(time.perf_counter() - started)
        ref_right += found == (version.bulletin_id, version.number)
        picked = [v for v in by_bulletin[found[0]] if v.number == found[1]]
        match = forwards.analyse(text, forwards.ForwardIndex(picked)).match
        ref_good += bool(match) and match.matched_words >= best_possible(text, version, by_bulletin)
    print(
        f"reference (difflib against every version): {n} forwards, "
        f"p50 {percentile(ref_times, 0.5) * 1000:.0f} ms, max {max(ref_times) * 1000:.0f} ms; "
        f"the very bulletin and version {ref_right}/{n}, a source as good as it {ref_good}/{n}"
    )
    speedup = statistics.median(ref_times) / statistics.median(times)
    print(f"median speed-up of the index over the reference: {speedup:.0f}x")


if __name__ == "__main__":
    main()
