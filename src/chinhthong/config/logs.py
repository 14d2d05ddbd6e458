"""The log's filters."""

import logging


class OneLineBelowError(logging.Filter):
    """A refused request (403, 404, 400, a Host this site does not answer to) is logged in one
    line: its traceback tells an operator nothing, and an intruder scanning the back office
    wrote forty lines per refusal (a flood of made-up Hosts, 80 MB in 30 s)."""

    def filter(self, record: logging.LogRecord) -> bool:
        refused = record.levelno < logging.ERROR or record.name.startswith("django.security")
        if refused and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
