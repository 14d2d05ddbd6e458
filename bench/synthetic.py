"""Synthetic data for the verification benchmarks, generated from a fixed seed.

- ``registry_document``: the default registry plus generated channels of plausible Vietnamese
  public bodies (provincial people's committees and departments, communes, national bodies,
  provincial newspapers and hospitals), in the shape of the /registry.json snapshot.
- ``blocklist_data``: made-up phishing hosts and links, canonical as the engine expects them.
- ``url_corpus``: links over a fixed number of distinct hosts (official, legitimate, look-alike,
  blocklisted, random), each host repeating with a Zipf-like frequency, every link labelled
  with the category that generated it.

Everything here is invented; no entry is a real report.
"""

import random
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import yaml
from rapidfuzz.distance import OSA

from chinhthong.verify.domains import DomainNames
from chinhthong.verify.text import fold
from chinhthong.verify.urls import parse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REGISTRY = ROOT / "src/chinhthong/registry/data/default_registry.yaml"
LEGIT_DOMAINS = ROOT / "tests/verify/data/legit-domains-vn.txt"
SEED = 20_201_341  # letter 1341/STTTT-TTBCXB

PROVINCES = """An Giang|Bà Rịa - Vũng Tàu|Bắc Giang|Bắc Kạn|Bạc Liêu|Bắc Ninh|Bến Tre|Bình Định|
Bình Dương|Bình Phước|Bình Thuận|Cà Mau|Cần Thơ|Cao Bằng|Đà Nẵng|Đắk Lắk|Đắk Nông|Điện Biên|
Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|Hà Nội|Hà Tĩnh|Hải Dương|Hải Phòng|Hậu Giang|
Hòa Bình|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|Lâm Đồng|Lạng Sơn|Lào Cai|Long An|
Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|Quảng Nam|Quảng Ngãi|
Quảng Ninh|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|
Tiền Giang|Hồ Chí Minh|Trà Vinh|Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái"""
PROVINCE_DOMAIN = {"Bà Rịa - Vũng Tàu": "baria-vungtau", "Hồ Chí Minh": "hochiminhcity"}

DEPARTMENTS = [
    ("Sở Tài chính", "stc"),
    ("Sở Y tế", "soyte"),
    ("Sở Giáo dục và Đào tạo", "sgddt"),
    ("Sở Tư pháp", "sotuphap"),
    ("Sở Xây dựng", "sxd"),
    ("Sở Nội vụ", "sonoivu"),
    ("Sở Kế hoạch và Đầu tư", "skhdt"),
    ("Sở Công Thương", "socongthuong"),
    ("Sở Tài nguyên và Môi trường", "stnmt"),
    ("Sở Lao động - Thương binh và Xã hội", "sldtbxh"),
    ("Sở Văn hóa, Thể thao và Du lịch", "svhttdl"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "snnptnt"),
    ("Sở Giao thông vận tải", "sogtvt"),
    ("Sở Khoa học và Công nghệ", "skhcn"),
    ("Sở Thông tin và Truyền thông", "stttt"),
    ("Thanh tra tỉnh", "thanhtra"),
    ("Công an tỉnh", "congan"),
    ("Bảo hiểm xã hội tỉnh", "bhxh"),
    ("Trung tâm Phục vụ hành chính công tỉnh", "dichvucong"),
]

NATIONAL = [
    ("Bộ Tài chính", "mof.gov.vn"),
    ("Bộ Tư pháp", "moj.gov.vn"),
    ("Bộ Thông tin và Truyền thông", "mic.gov.vn"),
    ("Bộ Công Thương", "moit.gov.vn"),
    ("Bộ Khoa học và Công nghệ", "most.gov.vn"),
    ("Bộ Lao động - Thương binh và Xã hội", "molisa.gov.vn"),
    ("Bộ Tài nguyên và Môi trường", "monre.gov.vn"),
    ("Bộ Nông nghiệp và Phát triển nông thôn", "mard.gov.vn"),
    ("Bộ Kế hoạch và Đầu tư", "mpi.gov.vn"),
    ("Bộ Giáo dục và Đào tạo", "moet.gov.vn"),
    ("Bộ Giao thông vận tải", "mt.gov.vn"),
    ("Bộ Xây dựng", "moc.gov.vn"),
    ("Bộ Ngoại giao", "mofa.gov.vn"),
    ("Bộ Nội vụ", "moha.gov.vn"),
    ("Bộ Quốc phòng", "mod.gov.vn"),
    ("Bộ Văn hóa, Thể thao và Du lịch", "bvhttdl.gov.vn"),
    ("Cổng thông tin Bộ Công an", "bocongan.gov.vn"),
    ("Tổng cục Thuế", "gdt.gov.vn"),
    ("Tổng cục Hải quan", "customs.gov.vn"),
    ("Ngân hàng Nhà nước Việt Nam", "sbv.gov.vn"),
    ("Thanh tra Chính phủ", "thanhtra.gov.vn"),
    ("Tòa án nhân dân tối cao", "toaan.gov.vn"),
    ("Viện kiểm sát nhân dân tối cao", "vksndtc.gov.vn"),
    ("Kiểm toán Nhà nước", "sav.gov.vn"),
    ("Cục An toàn thông tin", "ais.gov.vn"),
    ("Trung tâm Giám sát an toàn không gian mạng quốc gia", "ncsc.gov.vn"),
    ("Cục Quản lý thị trường", "dms.gov.vn"),
    ("Tổng cục Thống kê", "gso.gov.vn"),
    ("Cục Đăng kiểm Việt Nam", "vr.org.vn"),
    ("Cục Hàng không Việt Nam", "caa.gov.vn"),
    ("Ủy ban Quản lý vốn nhà nước tại doanh nghiệp", "cmsc.gov.vn"),
    ("Quốc hội", "quochoi.vn"),
    ("Báo điện tử Chính phủ", "baochinhphu.vn"),
    ("Tổng công ty Bưu điện Việt Nam", "vnpost.vn"),
    ("Tập đoàn Điện lực Việt Nam", "evn.com.vn"),
    ("Cổng thông tin tiêm chủng COVID-19", "tiemchungcovid19.gov.vn"),
    ("Cổng thông tin điện tử Chính phủ Việt Nam", "vietnam.gov.vn"),
    ("Thuế điện tử", "thuedientu.gdt.gov.vn"),
    ("Cục Quản lý xuất nhập cảnh", "xuatnhapcanh.gov.vn"),
    ("Trung tâm Thông tin Y tế quốc gia", "ehealth.gov.vn"),
    ("Trung tâm Internet Việt Nam", "vnnic.vn"),
    ("Học viện Hành chính Quốc gia", "napa.vn"),
    ("Đài Truyền hình Việt Nam (cổng dịch vụ)", "dichvu.vtv.gov.vn"),
]

SYLLABLES = """an anh bac bach binh cam chau chi cuong dai dan dong duc duong gia giang ha hai hanh
hiep hoa hoang hong hung huong khanh kim lac lam lan lap linh loc long luong minh my nam nghia
ngoc nhan nhat phat phong phu phuc phuoc quang quy quynh son tam tan tay thach thai thanh thien
thinh thuan thuy tien toan trung tuan tuong van viet vinh xuan yen""".split()
VIET_WORDS = """nhakhoa thoitrang noithat dulich nhadat xemay mypham sach banhmi cafe dienmay
vatlieu xaydung giadung hoctap tienganh laptop dienthoai oto xedap camera thucpham nongsan
hoaqua suckhoe spa tocdep khachsan homestay vemaybay taxi luat ketoan inan quangcao thietke
phanmem mobile tinhoc maytinh dieuhoa baohiem caphe tra ruou gom go thep son kinh dongho giay
tui balo dochoi bimsua nhathuoc phongkham benhvien truonghoc mamnon daotao tuyendung viecam
""".split()
EN_WORDS = """shop store news media tech group digital home house land travel tour food
studio design cloud net link hub pro plus center world life care smart green star sun blue gold
global asia viet king best top express mart market""".split()
# Words scam sites join to an official name (gov/vn, lures seen in Vietnamese scam lists); chosen
# from observed scam vocabulary, not from the engine's list.
SCAM_WORDS = """gov govvn vn online tructuyen dichvu tracuu dangky xacminh xacthuc capnhat hotro
thongbao login dangnhap cskh hoantien nhanqua khaosat hoso doiso vneid app portal id secure
verify account taikhoan update support chinhthuc phatnguoi nopphat canhbao hethong
giahan""".split()
# Vocabulary of phishing hosts in the blocklist.
PHISH_WORDS = (
    SCAM_WORDS
    + """nhantien chuyentien vaytien vayvon trungthuong quatang tangqua
quatet khuyenmai uudai baohanh hoantra rutien napthe doithuong giaithuong tuyendung
viecnhe lamtainha dautu tienao""".split()
)
SCAM_TLDS = """com net org info xyz top online site shop vip cc club live icu asia biz work
link click me pw""".split()
GOV_PATHS = """Trang/TinTuc.aspx?newsid= vi/tin-tuc/ van-ban/ Pages/chi-tiet.aspx?ItemID=
thu-tuc-hanh-chinh/ tin-tuc-su-kien/ portal/tin-tuc/ dich-vu-cong/""".split()
WEB_PATHS = [
    "",
    *"""tin-tuc/ san-pham/ blog/ p/ news/ category/ bai-viet/ index.php?route=product&id=
    collections/ ?page=""".split(),
]
PHISH_PATHS = """login dang-nhap xac-minh index.php verify form capnhat tra-cuu hoan-tien nhan-qua
account/login wp-login.php secure vneid dichvucong gplx bhxh nop-phat""".split()
SHORTENERS = "bit.ly tinyurl.com cutt.ly rb.gy is.gd shorturl.at t.ly s.id goo.gl tiny.cc".split()
CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
# ASCII confusables of Unicode TR39 (confusables.txt): rn -> m, vv -> w, cl -> d
ASCII_GLYPHS = [("m", "rn"), ("w", "vv"), ("d", "cl")]
LEET = {"o": "0", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7", "g": "9", "l": "1"}
TONES = {
    "a": "àáảãạăâ",
    "e": "èéẻẽẹê",
    "i": "ìíỉĩị",
    "o": "òóỏõọôơ",
    "u": "ùúủũụư",
    "y": "ỳýỷỹỵ",
}
KEYBOARD = dict(  # neighbouring keys, for typing slips
    zip(
        "qwertyuiopasdfghjklzxcvbnm",
        "wa qes wrd etf rtg tuh yij uok ipl ol qsz adwx sfec dgrv fhtb gjyn hkum jli kop xsa zcd "
        "xvf cbg vnh bmj nk".split(),
        strict=True,
    )
)
SWAP_SUFFIXES = """vn com.vn com net org net.vn org.vn info online top site xyz vip cc asia
info.vn""".split()
COMBO_SUFFIXES = "vn vn com com.vn net online top site info xyz org vip cc shop".split()
LEGIT_SUFFIXES = "vn vn com.vn com.vn com com net edu.vn net.vn org.vn info".split()
RANDOM_SUFFIXES = """com com net org vn info xyz top io co com.vn me site online shop app dev
biz""".split()
SERVICES = "dichvucong vanban tintuc hoidap egov motcua tuyensinh mail congbao qlvb thongke".split()
ABBREVIATIONS = {"dichvucong": "dvc", "baohiemxahoi": "bhxh", "giaypheplaixe": "gplx"}


def _slugify(text: str) -> str:
    return "-".join(fold(text).replace("-", " ").replace(",", " ").split())


def _ascii_name(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


def provinces() -> list[tuple[str, str]]:
    names = [p.strip() for p in PROVINCES.replace("\n", "").split("|")]
    return [(name, PROVINCE_DOMAIN.get(name, _ascii_name(name))) for name in names]


def load_default_registry() -> dict:
    with open(DEFAULT_REGISTRY, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# --- registry -----------------------------------------------------------------------------------
def registry_document(channels: int = 1000, seed: int = SEED) -> dict:
    """The default registry plus generated active channels, ``channels`` in all."""
    rng = random.Random(seed)
    document = load_default_registry()
    agencies = {a["code"]: a for a in document["agencies"]}
    entries = list(document["channels"])
    hosts = {(c.get("kind"), c.get("host")) for c in entries if c.get("host")}
    usernames = {c.get("facebook_username") for c in entries if c.get("facebook_username")}
    slugs = {c["slug"] for c in entries}
    legit = set(legit_domains())
    # Names a real site of the legitimate list uses under another suffix (baoninhbinh.org.vn):
    # inventing such a channel would turn that site into a look-alike of an invented one.
    names = DomainNames()
    legit_labels = {names.core_label(names.registrable(d) or d).replace("-", "") for d in legit}

    def agency(code: str, name: str) -> str:
        agencies.setdefault(code, {"code": code, "name": name})
        return code

    def add(code: str, kind: str, name: str, *, host: str = "", username: str = "") -> None:
        if len(entries) >= channels:
            return
        if host and (kind, host) in hosts:
            return
        if host and not host.endswith(".gov.vn") and host in legit:
            return
        if username and username in usernames:
            return
        slug = f"{kind.split('_')[0]}-{_slugify(host or username)}"
        if slug in slugs:
            return
        entry = {"slug": slug, "agency": code, "kind": kind, "name": name, "status": "active"}
        if host:
            entry["host"] = host
            hosts.add((kind, host))
            if kind == "website":
                entry["url"] = f"https://{host}/"
        if username:
            entry["facebook_username"] = username
            entry["url"] = f"https://www.facebook.com/{username}/"
            usernames.add(username)
        slugs.add(slug)
        entries.append(entry)

    places = provinces()
    for name, domain in places:
        code = agency(f"ubnd-tinh-{_slugify(name)}", f"Ủy ban nhân dân tỉnh {name}")
        add(code, "website", f"Cổng thông tin điện tử tỉnh {name}", host=f"{domain}.gov.vn")
        add(code, "mail_domain", f"Thư công vụ tỉnh {name}", host=f"{domain}.gov.vn")
        add(
            code,
            "facebook_page",
            f"Cổng TTĐT tỉnh {name}",
            username=rng.choice([f"{domain}portal", f"ubnd.{domain}", f"congthongtin{domain}"]),
        )
    for name, host in NATIONAL:
        code = agency(_slugify(name), name)
        add(code, "website", f"Cổng thông tin điện tử {name}", host=host)
        if rng.random() < 0.5 and host.count(".") <= 2:
            add(code, "mail_domain", f"Thư điện tử {name}", host=host)
        if rng.random() < 0.5:
            add(code, "facebook_page", name, username=_ascii_name(name)[:40])
    for name, domain in rng.sample(places, 40):
        code = agency(f"bao-{_slugify(name)}", f"Báo {name}")
        if {f"bao{domain}".replace("-", ""), f"{domain}tv".replace("-", "")} & legit_labels:
            continue
        add(
            code,
            "website",
            f"Báo {name} điện tử",
            host=rng.choice([f"bao{domain}.vn", f"bao{domain}.com.vn", f"{domain}tv.vn"]),
        )
        add(code, "facebook_page", f"Báo {name}", username=f"bao{domain}")
    for name, domain in rng.sample(places, 25):
        code = agency(f"bvdk-{_slugify(name)}", f"Bệnh viện Đa khoa tỉnh {name}")
        if {f"bvdk{domain}".replace("-", ""), f"benhvien{domain}".replace("-", "")} & legit_labels:
            continue
        add(
            code,
            "website",
            f"Bệnh viện Đa khoa tỉnh {name}",
            host=rng.choice([f"bvdk{domain}.vn", f"benhvien{domain}.vn", f"bvdk{domain}.org.vn"]),
        )
    # Provincial departments and communes: subdomains of the province's gov.vn name.
    units = [(p, d) for p in places for d in DEPARTMENTS]
    rng.shuffle(units)
    for (province, domain), (department, short) in units[:500]:
        code = agency(f"{_slugify(department)}-{_slugify(province)}", f"{department} {province}")
        add(
            code,
            "website",
            f"Cổng thông tin {department} {province}",
            host=f"{short}.{domain}.gov.vn",
        )
        if rng.random() < 0.25:
            add(
                code, "facebook_page", f"{department} {province}", username=f"{short}.{domain}"[:50]
            )
        if rng.random() < 0.1:
            add(
                code,
                "mail_domain",
                f"Thư điện tử {department} {province}",
                host=f"{short}.{domain}.gov.vn",
            )
    while len(entries) < channels:
        province, domain = rng.choice(places)
        commune = rng.choice(["xã", "phường", "thị trấn"])
        place = " ".join(rng.sample(SYLLABLES, 2)).title()
        code = agency(
            f"ubnd-{_slugify(commune)}-{_slugify(place)}-{domain}",
            f"Ủy ban nhân dân {commune} {place}, tỉnh {province}",
        )
        add(
            code,
            "website",
            f"Cổng thông tin {commune} {place}",
            host=f"{_ascii_name(place)}.{domain}.gov.vn",
        )
    document["channels"] = entries
    document["agencies"] = list(agencies.values())
    return document


@dataclass(frozen=True, slots=True)
class Brand:
    registrable: str  # quangninh.gov.vn
    core: str  # quangninh
    suffix: str  # gov.vn


def official_hosts(document: dict) -> list[str]:
    return sorted(
        {
            c["host"]
            for c in document["channels"]
            if c.get("status") == "active" and c.get("kind") == "website" and c.get("host")
        }
    )


def brands(document: dict) -> list[Brand]:
    """Registrable domains of active websites and mail domains, with their name and suffix."""
    names = DomainNames()
    out = {}
    for channel in document["channels"]:
        if channel.get("status") != "active" or channel.get("kind") not in (
            "website",
            "mail_domain",
        ):
            continue
        registrable = names.registrable(channel.get("host") or "")
        if registrable:
            out[registrable] = Brand(
                registrable, names.core_label(registrable), names.public_suffix(registrable)
            )
    return sorted(out.values(), key=lambda b: b.registrable)


def facebook_usernames(document: dict) -> list[str]:
    return sorted(
        c["facebook_username"]
        for c in document["channels"]
        if c.get("status") == "active" and c.get("facebook_username")
    )


def legit_domains() -> list[str]:
    lines = LEGIT_DOMAINS.read_text(encoding="utf-8").splitlines()
    return [line.strip().lower() for line in lines if line.strip() and not line.startswith("#")]


# --- words --------------------------------------------------------------------------------------
class Words:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def name(self) -> str:
        """A Vietnamese-looking business or person name: minhanh, hoangphat."""
        return self.rng.choice(SYLLABLES) + self.rng.choice(SYLLABLES)

    def random_label(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(5, 12)))
        if roll < 0.7:
            return self.name() + rng.choice(["", str(rng.randint(1, 999))])
        return (
            rng.choice(EN_WORDS)
            + rng.choice(EN_WORDS)
            + rng.choice(["", "", str(rng.randint(1, 99))])
        )

    def slug(self) -> str:
        return "-".join(self.rng.choices(SYLLABLES, k=self.rng.randint(3, 7)))


# --- blocklist ----------------------------------------------------------------------------------
@dataclass
class BlocklistData:
    entries: list[tuple[str, str, str]]  # (kind, canonical value, source)
    url_hosts: list[str]  # hosts that have URL entries, in order
    urls_by_host: dict[str, list[str]]
    hosts: list[str]  # host entries, in order


def blocklist_data(
    size: int = 1_000_000, seed: int = SEED, urls_per_host: int = 4
) -> BlocklistData:
    """``size`` entries: 60 % URLs (``urls_per_host`` per phishing host), 40 % hosts."""
    rng = random.Random(seed + 1)
    words = Words(rng)
    taken: set[str] = set()
    sources = ["chongluadao", "ncsc-canh-bao", "tin-bao-cua-dan", "pa05-cong-an"]

    def phish_host() -> str:
        while True:
            first, second = rng.choice(PHISH_WORDS), rng.choice([*PHISH_WORDS, words.name()])
            label = rng.choice([f"{first}-{second}", f"{first}{second}", f"{first}-{words.name()}"])
            if rng.random() < 0.4:
                label += str(rng.randint(1, 9999))
            host = f"{label}.{rng.choice(SCAM_TLDS)}"
            if host not in taken:
                taken.add(host)
                return host

    url_count = size * 6 // 10
    host_count = size - url_count
    entries: list[tuple[str, str, str]] = []
    url_hosts: list[str] = []
    urls_by_host: dict[str, list[str]] = {}
    while len(entries) < url_count:
        host = phish_host()
        if rng.random() < 0.3:
            host = f"{rng.choice(['www', 'secure', 'login', 'm', 'app'])}.{host}"
        scheme = rng.choice(["http", "https"])
        want = min(urls_per_host, url_count - len(entries))
        hrefs: list[str] = []
        while len(hrefs) < want:
            path = rng.choice(PHISH_PATHS)
            if rng.random() < 0.5:
                path = f"{rng.choice(PHISH_PATHS)}/{path}"
            if rng.random() < 0.3:
                path += f"?id={rng.randint(1, 10**6)}"
            href = f"{scheme}://{host}/{path}"
            if href in hrefs:
                continue
            hrefs.append(href)
            entries.append(("url", href, rng.choice(sources)))
        url_hosts.append(host)
        urls_by_host[host] = hrefs
    hosts = []
    for _ in range(host_count):
        host = phish_host()
        hosts.append(host)
        entries.append(("host", host, rng.choice(sources)))
    return BlocklistData(entries, url_hosts, urls_by_host, hosts)


def check_canonical(data: BlocklistData, sample: int = 5000, seed: int = SEED) -> None:
    """URL entries must be what urls.parse gives, host entries ASCII lowercase."""
    rng = random.Random(seed)
    for kind, value, _ in rng.sample(data.entries, min(sample, len(data.entries))):
        if kind == "url":
            link = parse(value)
            assert link is not None and link.href == value, (value, link)
        else:
            assert value == value.lower() and value.isascii(), value


# --- look-alikes ---------------------------------------------------------------------------------
TECHNIQUES = {  # technique -> share of generated look-alike hosts
    "typosquat": 0.18,
    "homoglyph": 0.12,
    "diacritics": 0.08,
    "leetspeak": 0.08,
    "suffix_swap": 0.12,
    "combosquat": 0.32,
    "embedded_host": 0.10,
}


class Lookalikes:
    """Look-alike hosts of official names, the way scam lists show them."""

    def __init__(self, brand_list: list[Brand], rng: random.Random):
        self.rng = rng
        self.words = Words(rng)
        self.brands = [b for b in brand_list if len(b.core) >= 3 and "-" not in b.core]
        self.long = [b for b in self.brands if len(b.core) >= 5]
        self.cores = {b.core for b in brand_list}

    def _suffix(self, brand: Brand) -> str:
        """Another suffix than the brand's (gov.vn names are only issued to state bodies)."""
        while True:
            suffix = self.rng.choice(SWAP_SUFFIXES)
            if suffix != brand.suffix:
                return suffix

    def _swapped_or_same(self, brand: Brand) -> str:
        if brand.suffix != "gov.vn" and self.rng.random() < 0.4:
            return brand.suffix
        return self._suffix(brand)

    def make(self, technique: str) -> str:
        host = getattr(self, technique)()
        registrable = _registrable_of(host)
        if registrable is None or registrable.startswith("www."):
            # <province>.vn is a public suffix (VNNIC's geographic names): nobody registers
            # binhdinh.vn, but anyone can register dichvucong.binhdinh.vn.
            host = f"{self.rng.choice(SERVICES)}.{host.removeprefix('www.')}"
        return host

    def typosquat(self) -> str:
        """1 edit for names of 5-8 letters, up to 2 for 9 or more (optimal string alignment)."""
        rng = self.rng
        while True:
            brand = rng.choice(self.long)
            limit = 2 if len(brand.core) >= 9 else 1
            core = brand.core
            for _ in range(2 if limit == 2 and rng.random() < 0.3 else 1):
                core = _edit(core, rng)
            if 0 < OSA.distance(core, brand.core) <= limit and core not in self.cores:
                return f"{core}.{self._swapped_or_same(brand)}"

    def homoglyph(self) -> str:
        rng = self.rng
        brand = rng.choice(self.brands)
        core = brand.core
        if rng.random() < 0.3:
            options = [(a, b) for a, b in ASCII_GLYPHS if a in core]
            if options:
                a, b = rng.choice(options)
                return f"{core.replace(a, b, 1)}.{self._swapped_or_same(brand)}"
        positions = [i for i, ch in enumerate(core) if ch in CYRILLIC]
        if not positions:
            return self.homoglyph()
        for i in rng.sample(positions, min(len(positions), rng.choice([1, 1, 2]))):
            core = core[:i] + CYRILLIC[core[i]] + core[i + 1 :]
        return f"{core}.{self._swapped_or_same(brand)}"

    def diacritics(self) -> str:
        rng = self.rng
        brand = rng.choice(self.brands)
        core = brand.core
        positions = [i for i, ch in enumerate(core) if ch in TONES]
        if not positions:
            return self.diacritics()
        for i in rng.sample(positions, min(len(positions), rng.choice([1, 1, 2]))):
            core = core[:i] + rng.choice(TONES[core[i]]) + core[i + 1 :]
        return f"{core}.{self._swapped_or_same(brand)}"

    def leetspeak(self) -> str:
        rng = self.rng
        brand = rng.choice(self.brands)
        core = brand.core
        positions = [i for i, ch in enumerate(core) if ch in LEET]
        if not positions:
            return self.leetspeak()
        for i in rng.sample(positions, min(len(positions), rng.choice([1, 1, 2]))):
            core = core[:i] + LEET[core[i]] + core[i + 1 :]
        return f"{core}.{self._swapped_or_same(brand)}"

    def suffix_swap(self) -> str:
        brand = self.rng.choice(self.brands)
        prefix = self.rng.choice(["", "", "", "www."])
        return f"{prefix}{brand.core}.{self._suffix(brand)}"

    def combosquat(self) -> str:
        rng = self.rng
        brand = rng.choice(self.brands)
        name = ABBREVIATIONS.get(brand.core, brand.core) if rng.random() < 0.3 else brand.core
        roll = rng.random()
        if roll < 0.15:
            other = rng.choice(self.brands).core
            parts = [name, other]
        else:
            parts = [name, rng.choice(SCAM_WORDS)]
            if roll < 0.25:
                parts.append(rng.choice(SCAM_WORDS))
        if rng.random() < 0.4:
            parts.reverse()
        joiner = rng.choice(["-", "-", ""])
        suffix = rng.choice(COMBO_SUFFIXES)
        prefix = rng.choice(["", "", "", "www.", "m."])
        return f"{prefix}{joiner.join(parts)}.{suffix}"

    def embedded_host(self) -> str:
        rng = self.rng
        brand = rng.choice(self.brands)
        word = self.words.name()
        tld = rng.choice(SCAM_TLDS)
        return rng.choice(
            [
                f"{brand.registrable}.{word}.{tld}",
                f"www.{brand.registrable}.{rng.choice(SCAM_WORDS)}-{word}.{tld}",
                f"{brand.registrable}-{rng.choice(SCAM_WORDS)}.{tld}",
                f"{brand.registrable}.{rng.choice(SCAM_WORDS)}.{tld}",
            ]
        )


def _edit(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    op = rng.choice(["delete", "insert", "substitute", "transpose", "repeat"])
    if op == "delete":
        return word[:i] + word[i + 1 :]
    if op == "insert":
        return word[:i] + rng.choice(KEYBOARD.get(word[i], "aeiou")) + word[i:]
    if op == "substitute":
        return word[:i] + rng.choice(KEYBOARD.get(word[i], "aeiou")) + word[i + 1 :]
    if op == "transpose" and i < len(word) - 1 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


# --- URL corpus ---------------------------------------------------------------------------------
# category -> (share of distinct hosts, share of URLs). Hosts of "facebook", "wrapped" and
# "shortener" are a handful of fixed ones; "trick" and "near_miss" reuse hosts of other pools.
MIX = {
    "official": (0.04, 0.28),
    "gov_unregistered": (0.02, 0.02),
    "legit_list": (0.01, 0.20),
    "legit_generated": (0.255, 0.12),
    "contains_name": (0.025, 0.01),
    "lookalike": (0.15, 0.06),
    "blocklisted_url": (0.10, 0.06),
    "blocklisted_host": (0.125, 0.04),
    "random": (0.275, 0.14),
    "facebook": (0, 0.03),
    "wrapped": (0, 0.02),
    "shortener": (0, 0.01),
    "trick": (0, 0.005),
    "near_miss": (0, 0.005),
}


@dataclass
class Corpus:
    urls: list[str]
    labels: list[str]  # category (look-alikes: "lookalike:<technique>") of each URL
    hosts: list[str]  # canonical host of each URL (the wrapper's host for wrapped links)
    pools: dict[str, list[str]] = field(default_factory=dict)

    @property
    def distinct_hosts(self) -> int:
        return len(set(self.hosts))


class _Pools:
    """Distinct canonical hosts, each kept with the text a person would paste."""

    def __init__(self, taken: set[str]):
        self.seen = set(taken)

    def fill(self, target: int, make, limit_factor: int = 50) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        attempts = 0
        while len(out) < target and attempts < target * limit_factor + 100:
            attempts += 1
            made = make()
            shown, label = made if isinstance(made, tuple) else (made, "")
            host = _canonical(shown) if shown else None
            if host and host not in self.seen:
                self.seen.add(host)
                out.append((shown, host, label))
        return out


def _canonical(shown: str) -> str | None:
    if shown.isascii():
        return shown.lower()
    link = parse(f"http://{shown}/")
    return link.host if link else None


def _zipf_counts(n_items: int, total: int, rng: random.Random, exponent: float = 1.0) -> list[int]:
    """Every item once, the rest spread with weights 1/rank**exponent (ranks shuffled)."""
    counts = [1] * n_items
    extra = total - n_items
    if extra > 0 and n_items:
        cumulative, running = [], 0.0
        for rank in range(1, n_items + 1):
            running += rank**-exponent
            cumulative.append(running)
        for index in rng.choices(range(n_items), cum_weights=cumulative, k=extra):
            counts[index] += 1
        rng.shuffle(counts)
    return counts


def url_corpus(
    document: dict,
    blocklist: BlocklistData,
    urls: int = 1_000_000,
    hosts: int = 200_000,
    seed: int = SEED,
) -> Corpus:
    rng = random.Random(seed + 2)
    words = Words(rng)
    brand_list = brands(document)
    officials = official_hosts(document)
    provinces_ = [d for _, d in provinces()]
    legit = legit_domains()
    usernames = facebook_usernames(document)
    looks = Lookalikes(brand_list, rng)
    official_set = {b.registrable for b in brand_list}
    pools = _Pools(set())
    host_targets = {k: round(v[0] * hosts) for k, v in MIX.items()}
    fixed_hosts = 4 + len(SHORTENERS)  # facebook.com, www., m., l.facebook.com
    host_targets["random"] += hosts - fixed_hosts - sum(host_targets.values())
    url_targets = {k: round(v[1] * urls) for k, v in MIX.items()}
    url_targets["official"] += urls - sum(url_targets.values())

    def official():
        base = rng.choice(officials)
        roll = rng.random()
        if roll < 0.25:
            return base
        if roll < 0.45:
            return f"www.{base}"
        prefix = words.name() if rng.random() < 0.5 else rng.choice(SERVICES)
        return f"{prefix}.{base}"

    def gov_unregistered():
        return rng.choice(
            [
                f"{words.name()}.gov.vn",
                f"{rng.choice([s for _, s in DEPARTMENTS])}{rng.choice(provinces_)}.gov.vn",
                f"{words.name()}.{words.name()}.gov.vn",
            ]
        )

    def legit_list():
        domain = rng.choice(legit)
        return rng.choice(
            [
                domain,
                f"www.{domain}",
                f"m.{domain}",
                f"{rng.choice(['news', 'video', 'shop', 'tv', 'id', 'static'])}.{domain}",
            ]
        )

    def legit_generated():
        label = rng.choice(
            [
                rng.choice(VIET_WORDS) + words.name(),
                words.name() + rng.choice(VIET_WORDS),
                rng.choice(VIET_WORDS) + "-" + words.name(),
                rng.choice(VIET_WORDS) + rng.choice(EN_WORDS),
                words.name() + rng.choice(EN_WORDS),
            ]
        )
        suffix = rng.choice(LEGIT_SUFFIXES)
        return rng.choice(["", "", "www.", "shop."]) + f"{label}.{suffix}"

    def contains_name():
        place = rng.choice(provinces_).replace("-", "")
        word = rng.choice(VIET_WORDS + EN_WORDS)
        label = rng.choice(
            [f"{word}{place}", f"{place}{word}", f"{word}-{place}", f"{place}-{word}"]
        )
        return f"{label}.{rng.choice(['vn', 'com.vn', 'com', 'net'])}"

    technique_names = list(TECHNIQUES)
    technique_weights = list(TECHNIQUES.values())

    def lookalike():
        technique = rng.choices(technique_names, technique_weights)[0]
        host = looks.make(technique)
        if _registrable_of(host) in official_set:
            return None, ""
        return host, f"lookalike:{technique}"

    blocked_url_hosts = iter(blocklist.url_hosts)
    blocked_hosts = iter(blocklist.hosts)

    def blocklisted_url():
        return next(blocked_url_hosts)

    def blocklisted_host():
        host = next(blocked_hosts)
        if rng.random() < 0.3:
            return f"{rng.choice(['www', 'm', 'secure', 'id', words.name()])}.{host}"
        return host

    def random_host():
        roll = rng.random()
        if roll < 0.04:
            return ".".join(str(rng.randint(1, 223)) for _ in range(4))
        label = words.random_label()
        suffix = rng.choice(RANDOM_SUFFIXES)
        prefix = rng.choice(["", "", "", "www.", "m.", "app.", "api."])
        return f"{prefix}{label}.{suffix}"

    makers = {
        "official": official,
        "gov_unregistered": gov_unregistered,
        "legit_list": legit_list,
        "legit_generated": legit_generated,
        "contains_name": contains_name,
        "lookalike": lookalike,
        "blocklisted_url": blocklisted_url,
        "blocklisted_host": blocklisted_host,
        "random": random_host,
    }
    # Reserve every registered host and blocklisted host first so no other pool takes them.
    pools.seen.update(officials)
    pools.seen.update(blocklist.url_hosts)
    pools.seen.update(blocklist.hosts)
    pool: dict[str, list[tuple[str, str, str]]] = {}
    exhausted = {"blocklisted_url": blocklist.url_hosts, "blocklisted_host": blocklist.hosts}
    for category, make in makers.items():
        target = host_targets[category]
        if category == "official":
            # every registered website host first, then subdomains under them
            items = [(h, h, "") for h in officials[:target]]
            items += pools.fill(target - len(items), official)
        elif category in exhausted:
            source = exhausted[category]
            pools.seen.difference_update(source[:target])
            items = pools.fill(min(target, len(source)), make, limit_factor=2)
        else:
            items = pools.fill(target, make)
        pool[category] = items
    # shortfalls (small blocklists, exhausted generators) go to the random pool
    short = hosts - fixed_hosts - sum(len(v) for v in pool.values())
    if short > 0:
        pool["random"] += pools.fill(short, random_host)

    out_urls: list[str] = []
    out_labels: list[str] = []
    out_hosts: list[str] = []

    def emit(url: str, label: str, host: str) -> None:
        out_urls.append(url)
        out_labels.append(label)
        out_hosts.append(host)

    def vary(url: str, keep_scheme: bool = False) -> str:
        """How people paste links: sometimes without scheme, sometimes upper-case."""
        roll = rng.random()
        if roll < 0.04 and not keep_scheme:
            return url.split("://", 1)[1]
        if roll < 0.05:
            scheme, rest = url.split("://", 1)
            host, _, path = rest.partition("/")
            return f"{scheme.upper()}://{host.upper()}/{path}"
        return url

    def path_for(category: str) -> str:
        roll = rng.random()
        if category in ("official", "gov_unregistered"):
            if roll < 0.15:
                return ""
            template = rng.choice(GOV_PATHS)
            tail = (
                str(rng.randint(1, 99999))
                if template.endswith("=")
                else f"{words.slug()}-{rng.randint(1, 99999)}.html"
            )
            return template + tail
        if category in ("lookalike", "blocklisted_host", "trick"):
            return (
                ""
                if roll < 0.2
                else rng.choice(PHISH_PATHS)
                + ("" if roll < 0.6 else f"?id={rng.randint(1, 99999)}")
            )
        if roll < 0.2:
            return ""
        template = rng.choice(WEB_PATHS)
        return template + (str(rng.randint(1, 9999)) if template.endswith("=") else words.slug())

    for category, items in pool.items():
        counts = _zipf_counts(len(items), max(url_targets[category], len(items)), rng)
        for (shown, host, label), count in zip(items, counts, strict=True):
            label = label or category
            for _ in range(count):
                if category == "blocklisted_url":
                    href = rng.choice(blocklist.urls_by_host[host])
                    emit(vary(href, True) if rng.random() < 0.5 else href + "#top", label, host)
                    continue
                scheme = (
                    "https"
                    if category in ("official", "legit_list") or rng.random() < 0.6
                    else "http"
                )
                emit(vary(f"{scheme}://{shown}/{path_for(category)}"), label, host)
    # links on a handful of fixed hosts
    lookalike_urls = [
        (u, lab)
        for u, lab in zip(out_urls, out_labels, strict=True)
        if lab.startswith("lookalike:")
    ]
    official_urls = [u for u, lab in zip(out_urls, out_labels, strict=True) if lab == "official"]
    other_urls = [
        u
        for u, lab in zip(out_urls, out_labels, strict=True)
        if lab in ("legit_list", "legit_generated", "random")
    ]
    for _ in range(url_targets["facebook"]):
        roll = rng.random()
        fb_host = rng.choice(
            ["www.facebook.com", "www.facebook.com", "facebook.com", "m.facebook.com"]
        )
        if roll < 0.6:
            name, label = rng.choice(usernames), "facebook_official"
        elif roll < 0.75:
            official_name = rng.choice(usernames)
            name = rng.choice(
                [
                    _edit(official_name, rng),
                    official_name.replace(".", "") + rng.choice(["vn", ".official", "1", "gov"]),
                    f"{official_name}.{rng.choice(['hotro', 'tintuc', 'cskh'])}",
                ]
            )
            label = "facebook_lookalike"
        else:
            name, label = (
                words.name() + rng.choice(["", ".", "shop", "official"]) + str(rng.randint(1, 99)),
                "facebook_other",
            )
        tail = rng.choice(["", "", f"posts/{rng.randint(10**14, 10**15)}", "photos", "videos/"])
        emit(f"https://{fb_host}/{name}/{tail}", label, fb_host)
    for _ in range(url_targets["wrapped"]):
        roll = rng.random()
        if roll < 0.5:
            target, label = rng.choice(official_urls), "wrapped:official"
        elif roll < 0.7 and lookalike_urls:
            target, inner = rng.choice(lookalike_urls)
            label = "wrapped:" + inner
        else:
            target, label = rng.choice(other_urls), "wrapped:other"
        if "://" not in target:
            target = "http://" + target
        wrapped = f"https://l.facebook.com/l.php?u={quote(target, safe='')}"
        emit(f"{wrapped}&h=AT{rng.randint(10**8, 10**9)}", label, "l.facebook.com")
    for _ in range(url_targets["shortener"]):
        host = rng.choice(SHORTENERS)
        code = "".join(rng.choices("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=7))
        emit(f"https://{host}/{code}", "shortener", host)
    for _ in range(url_targets["trick"]):
        shown = rng.choice(officials)
        shown_host, host, _ = rng.choice(pool["random"])
        if rng.random() < 0.7:
            emit(f"https://{shown}@{shown_host}/{path_for('trick')}", "trick:userinfo", host)
        else:
            emit(f"https://{shown_host}\\@{shown}/{path_for('trick')}", "trick:backslash", host)
    for _ in range(url_targets["near_miss"]):
        host = rng.choice(pool["blocklisted_url"])[1]
        emit(f"http://{host}/{rng.choice(PHISH_PATHS)}-{rng.randint(1, 99)}", "near_miss", host)
    order = list(range(len(out_urls)))
    rng.shuffle(order)
    return Corpus(
        [out_urls[i] for i in order],
        [out_labels[i] for i in order],
        [out_hosts[i] for i in order],
        {k: [h for _, h, _ in v] for k, v in pool.items()},
    )


_NAMES = DomainNames()


def _registrable_of(host: str) -> str | None:
    canonical = _canonical(host)
    return _NAMES.registrable(canonical) if canonical else None
