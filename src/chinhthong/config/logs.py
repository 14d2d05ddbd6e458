"""The log's filters."""

import logging


class OneLineBelowError(logging.Filter):
    """A refused request (403, 404, 400) is logged in one line: its traceback tells an operator
    nothing, and an intruder scanning the back office wrote forty lines per refusal."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
