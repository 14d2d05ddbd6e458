"""Headers of static files (whitenoise): those of every page that matter for a file."""


def static_headers(headers, path: str, url: str) -> None:
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
