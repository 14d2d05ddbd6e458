"""Archive members decompressed in steps whose output is bounded, for every compression method
archives in mail use: zip members (stored, deflate, deflate64, bzip2, lzma) as pieces of at most
STEP_OUTPUT bytes (zip_pieces), RAR members read through rarfile in the same steps
(handle_pieces), and 7z members through py7zr, fed so few compressed bytes per step
(seven_zip_step_input) that one step yields at most about 2 MB, into keepers (KeeperFactory)
that keep a member's first bytes, or all of it when it starts like an archive.

Why that bounds memory and time: a decompressor asked for a whole member at once allocates
whatever a bomb unpacks to. Here every step's output is charged to the message's Budget, and
the deadline checked, before the next step (by mail_archives.py's walk, or by the keepers on
its behalf), so a bomb stops after at most one step. Decoders whose dictionary or model would
take more than MAX_DECODER_MEMORY are refused, and so is a 7z header that decodes to more than
MAX_7Z_HEADER, before py7zr decodes it in memory.
"""

import io
import struct
import zipfile
from collections.abc import Iterator

from chinhthong.verify.mail_attachments import NESTED, SNIFF_BYTES, sniff

MAX_7Z_HEADER = 256 * 1024  # bytes of a 7z archive's (decoded) header
MAX_DECODER_MEMORY = 64 * 1024 * 1024  # dictionary or model a decompressor may allocate
STEP_OUTPUT = 64 * 1024  # bytes one decompression step may return
STEP_INPUT = 16 * 1024  # compressed bytes fed per step to a decompressor that honours that


def handle_pieces(handle) -> Iterator[bytes]:
    """A member read from a file object (rarfile's) in pieces of at most STEP_OUTPUT bytes."""
    while piece := handle.read(STEP_OUTPUT):
        yield piece


# --- zip members, decompressed in steps of bounded output ----------------------------------
ZIP_DEFLATE64 = 9


def zip_pieces(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes] | None:
    """The decompressed pieces of one zip member, each at most STEP_OUTPUT bytes (Deflate64's
    come from steps of at most about 2 MB), for the methods zip archives use in mail: stored,
    deflate, deflate64, bzip2 and lzma; None for other methods and damaged entries."""
    raw = _zip_raw(data, info)
    method = info.compress_type
    if raw is None:
        return None
    if method == zipfile.ZIP_STORED:
        return (bytes(raw[at : at + STEP_OUTPUT]) for at in range(0, len(raw), STEP_OUTPUT))
    if method == zipfile.ZIP_DEFLATED:
        return _zlib_pieces(raw)
    if method == zipfile.ZIP_BZIP2:
        import bz2

        return _bounded_pieces(bz2.BZ2Decompressor(), raw)
    if method == zipfile.ZIP_LZMA:
        return _zip_lzma_pieces(raw)
    if method == ZIP_DEFLATE64:
        return _deflate64_pieces(raw)
    return None


def _zip_raw(data: bytes, info: zipfile.ZipInfo) -> memoryview | None:
    """The compressed bytes of a member, after its local header."""
    at = info.header_offset
    if at < 0 or data[at : at + 4] != b"PK\x03\x04" or at + 30 > len(data):
        return None
    name_length, extra_length = struct.unpack_from("<HH", data, at + 26)
    start = at + 30 + name_length + extra_length
    return memoryview(data)[start : start + info.compress_size]


def _zlib_pieces(raw: memoryview) -> Iterator[bytes]:
    import zlib

    decompressor = zlib.decompressobj(-15)
    pending: bytes | memoryview = b""
    at = 0
    try:
        while not decompressor.eof:
            if not pending:
                if at >= len(raw):
                    break
                pending, at = raw[at : at + STEP_INPUT], at + STEP_INPUT
            piece = decompressor.decompress(pending, STEP_OUTPUT)
            pending = decompressor.unconsumed_tail
            if piece:
                yield piece
        if not decompressor.eof:
            yield decompressor.flush()[:STEP_OUTPUT]  # a few bytes held back at the end
    except zlib.error:
        return


def _bounded_pieces(decompressor, raw: memoryview) -> Iterator[bytes]:
    """For decompressors with ``decompress(data, max_length)`` and ``needs_input`` (bz2,
    lzma)."""
    at = 0
    try:
        while not decompressor.eof:
            chunk = b""
            if decompressor.needs_input:
                if at >= len(raw):
                    return
                chunk, at = raw[at : at + STEP_INPUT], at + STEP_INPUT
            piece = decompressor.decompress(chunk, STEP_OUTPUT)
            if piece:
                yield piece
            elif not chunk:
                return
    except (OSError, EOFError, ValueError):  # damaged data (lzma raises LZMAError, an OSError)
        return


def _zip_lzma_pieces(raw: memoryview) -> Iterator[bytes] | None:
    """Zip's LZMA: version (2 bytes), properties size (2), LZMA1 properties, raw stream."""
    import lzma

    if len(raw) < 9:
        return None
    (size,) = struct.unpack_from("<H", raw, 2)
    props = bytes(raw[4 : 4 + size])
    lzma_filter = _lzma1_filter(props)
    if lzma_filter is None:
        return None
    decompressor = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma_filter])
    return _bounded_pieces(decompressor, raw[4 + size :])


def _lzma1_filter(props: bytes) -> dict | None:
    """LZMA1 properties (lc/lp/pb byte, dictionary size), refused above MAX_DECODER_MEMORY."""
    import lzma

    if len(props) != 5 or props[0] >= 9 * 5 * 5:
        return None
    (dictionary,) = struct.unpack_from("<I", props, 1)
    if dictionary > MAX_DECODER_MEMORY:
        return None
    pb, rest = divmod(props[0], 45)
    lp, lc = divmod(rest, 9)
    return {"id": lzma.FILTER_LZMA1, "dict_size": dictionary, "lc": lc, "lp": lp, "pb": pb}


# Deflate64 copies up to 65,538 bytes for 18 bits of code: its decompressor cannot cap its
# output, so it is fed so few bytes at a time that one step yields at most about 2 MB.
DEFLATE64_STEP_INPUT = 64


def _deflate64_pieces(raw: memoryview) -> Iterator[bytes] | None:
    try:
        import inflate64  # installed with py7zr, which uses it for the same method
    except ImportError:
        return None

    def pieces() -> Iterator[bytes]:
        inflater = inflate64.Inflater()
        try:
            for at in range(0, len(raw), DEFLATE64_STEP_INPUT):
                piece = inflater.inflate(bytes(raw[at : at + DEFLATE64_STEP_INPUT]))
                for start in range(0, len(piece), STEP_OUTPUT):
                    yield piece[start : start + STEP_OUTPUT]
                if inflater.eof:
                    return
        except Exception:  # damaged data; inflate64 raises its own kinds
            return

    return pieces()


# --- 7z ---------------------------------------------------------------------------------------
def seven_zip_header_too_large(data: bytes) -> bool:
    """A 7z archive's header may itself be compressed; refuse ones that decode to more than
    MAX_7Z_HEADER before py7zr decodes them in memory."""
    if len(data) < 32:
        return False
    offset, size = struct.unpack_from("<QQ", data, 12)
    if size > MAX_7Z_HEADER:
        return True
    start = 32 + offset
    header = data[start : start + size]
    if header[:1] != b"\x17":  # a plain header: its size is already bounded
        return False
    from py7zr.archiveinfo import HeaderStreamsInfo

    streams = HeaderStreamsInfo.retrieve(io.BytesIO(header[1:]))
    total = 0
    for folder in streams.unpackinfo.folders:
        sizes = folder.unpacksizes
        total += sizes[-1] if isinstance(sizes, (list, tuple)) else sizes
    return total > MAX_7Z_HEADER


# py7zr asks its decompressors for at most the member's size at a time; those listed here
# ignore that bound, so the compressed bytes fed to them per step are cut to keep one step's
# output within about 2 MB (worst ratios: deflate 1:1032, deflate64 1:29000, zstd 1:32768).
_7Z_STEP = {
    b"\x04\x01\x08": 1024,  # deflate
    b"\x04\x01\x09": DEFLATE64_STEP_INPUT,  # deflate64
    b"\x04\xf7\x11\x01": 32,  # zstd
}
_7Z_LZMA, _7Z_LZMA2, _7Z_PPMD = b"\x03\x01\x01", b"\x21", b"\x03\x04\x01"


def seven_zip_step_input(archive) -> int | str:
    """Compressed bytes py7zr may read per step for this archive's methods, or why its
    members are not decompressed (a dictionary or model larger than MAX_DECODER_MEMORY)."""
    streams = getattr(archive.header, "main_streams", None)
    folders = streams.unpackinfo.folders if streams is not None else []
    step = STEP_INPUT
    for folder in folders:
        for coder in folder.coders:
            method = bytes(coder.get("method", b""))
            step = min(step, _7Z_STEP.get(method, STEP_INPUT))
            if _7z_coder_memory(method, bytes(coder.get("properties") or b"")) > MAX_DECODER_MEMORY:
                return "decompressor memory"
    return step


def _7z_coder_memory(method: bytes, props: bytes) -> int:
    """The memory a 7z coder allocates by its properties (0 when small or fixed)."""
    if method == _7Z_LZMA and len(props) >= 5:
        return struct.unpack_from("<I", props, 1)[0]
    if method == _7Z_LZMA2 and props:
        bits = min(props[0], 40)
        return (2 | (bits & 1)) << (bits // 2 + 11)
    if method == _7Z_PPMD and len(props) >= 5:
        return struct.unpack_from("<I", props, 1)[0]
    return 0


class KeeperFactory:
    """py7zr's WriterFactory protocol: one _Keeper per member, all charging one walk, the
    archive walk of mail_archives.py: every write calls its ``tick()`` (which checks the
    deadline) and its ``take(path, size)`` (which charges the budget); either raises to stop
    py7zr."""

    def __init__(self, walk, path: tuple[str, ...]):
        self.walk = walk
        self.path = path
        self.products: dict[str, _Keeper] = {}

    def create(self, filename: str) -> "_Keeper":
        product = self.products[filename] = _Keeper(self.walk, self.path)
        return product


class _Keeper:
    """py7zr's Py7zIO protocol: keeps a member's first bytes, or all of it when it starts like
    an archive; every byte written is charged to the budget and the deadline is checked at each
    write, so a bomb stops py7zr after at most one step of output."""

    def __init__(self, walk, path: tuple[str, ...]):
        self.walk = walk
        self.path = path
        self.kept = bytearray()
        self.whole: bool | None = None  # unknown until the first 8 bytes are in
        self.written = 0

    def write(self, s) -> int:
        self.walk.tick()
        self.walk.take(self.path, len(s))
        self.written += len(s)
        if self.whole is None:
            self.kept += s
            if len(self.kept) >= 8:
                self.whole = sniff(bytes(self.kept[:8])) in NESTED
                if not self.whole:
                    del self.kept[SNIFF_BYTES:]
        elif self.whole:
            self.kept += s
        elif len(self.kept) < SNIFF_BYTES:
            self.kept += s[: SNIFF_BYTES - len(self.kept)]
        return len(s)

    def read(self, size=None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        pass

    def size(self) -> int:
        return self.written

    def close(self) -> None:
        pass
