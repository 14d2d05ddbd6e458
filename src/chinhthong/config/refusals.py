"""One refusal type for the services of the apps that act (DESIGN.md, "Patterns").

A service raises ``Refused`` (or a subclass) with a message for the user, a stable code and an
HTTP status; each edge maps it once: a form error, a 4xx JSON answer in the client's language,
a CLI exit with status 2.
"""


class Refused(Exception):
    status = 400

    def __init__(self, message: str, *, code: str = "refused", status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return str(self.message)


class NotFound(Refused):
    """A missing object and one the user may not see answer alike (404)."""

    status = 404
