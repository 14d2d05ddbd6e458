"""English date formats for a site used in Vietnam: numeric dates day-first, as in the
Vietnamese pages and the charts (Django's `en` writes and reads 05/12/2026 as May 12)."""

from chinhthong.config.formats.vi.formats import (  # noqa: F401 (Django reads them by name)
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    SHORT_DATE_FORMAT,
)

SHORT_DATETIME_FORMAT = "H:i d/m/Y"
