"""The "Kiểm tra" page given an input over the length limit, through GET and POST: a 400 with
the page and the length error shown once, never a 500 (an intruder's `?q=` of 10,001 "a")."""

import pytest
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext

from chinhthong.checks.services import MAX_INPUT_CHARS

EMPTY = "Paste a link, a domain, a mail address or a message, or choose an .eml file."


def _length_error(length: int) -> str:
    """Django's own message for a text over max_length, as the form shows it (escaped)."""
    error = MaxLengthValidator(MAX_INPUT_CHARS)
    message = error.message % {"limit_value": MAX_INPUT_CHARS, "show_value": length}
    return str(message)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_input_over_the_limit_is_refused_with_one_error(client, default_registry, method):
    text = "a" * (MAX_INPUT_CHARS + 1)
    response = getattr(client, method)("/kiem-tra/", {"q": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'method="post"' in html  # the page, with its form
    # Django writes the limit as 10.000 in Vietnamese; the form's escaping leaves it as is.
    length_error = _length_error(len(text))
    assert html.count(length_error) == 1, html[:3000]
    assert gettext(EMPTY) not in html
    assert "verdict-" not in html


def test_an_input_at_the_limit_is_checked_through_get(client, default_registry):
    response = client.get("/kiem-tra/", {"q": "a" * MAX_INPUT_CHARS})
    assert response.status_code == 200
    assert "verdict-" in response.content.decode()


def test_an_input_of_spaces_only_through_get_shows_the_empty_page(client, db):
    response = client.get("/kiem-tra/", {"q": "   "})
    assert response.status_code == 200
    assert gettext(EMPTY) not in response.content.decode()
