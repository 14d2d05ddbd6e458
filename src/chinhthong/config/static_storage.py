"""Static files as whitenoise serves them (hashed names, gzip and Brotli copies), compressed
only when they changed. whitenoise compresses every file on every collectstatic, and Brotli at
its highest quality took 20 of the 23 seconds of a warm `make run` over the admin's and the API
docs' files (bench/startup.py)."""

import os

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class _Incremental(Compressor):
    def __init__(self, *, hashed: frozenset[str] = frozenset(), **kwargs):
        super().__init__(**kwargs)
        self.hashed = hashed  # full paths of files whose name carries their content's hash

    def compress(self, path: str) -> list[str]:
        suffixes = ((".br", self.use_brotli), (".gz", self.use_gzip))
        wanted = [path + suffix for suffix, on in suffixes if on]
        if wanted and path in self.hashed:
            # Django rewrites hashed copies on every run, but a name that carries the hash of
            # its content has the same content as the copies already made from it.
            if all(os.path.exists(name) for name in wanted):
                return wanted
        elif wanted:
            # whitenoise gives each compressed copy its source's modification time, so copies
            # with the source's time were made from this very content.
            mtime = os.stat(path).st_mtime
            if all(_modified_at(name) == mtime for name in wanted):
                return wanted
        return super().compress(path)


def _modified_at(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except FileNotFoundError:
        return None


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        hashed = frozenset(self.path(name) for name in self.hashed_files.values())
        return _Incremental(hashed=hashed, **kwargs)
