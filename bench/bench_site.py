"""Settings for the HTTP benchmark: the real project's, with bench_urls adding one trivial
JSON view that goes through the same middleware."""

from chinhthong.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
