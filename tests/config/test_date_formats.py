"""Dates are written and read day-first in both languages: the site serves people in
Vietnam, whose 05/12/2026 is the fifth of December whichever language the page is in."""

import datetime as dt

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

DAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_short_date_is_day_first(language):
    with translation.override(language):
        shown = Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(Context({"day": DAY}))
    assert shown == "05/12/2026"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_typed_date_is_read_day_first(language):
    class Form(forms.Form):
        day = forms.DateField()

    with translation.override(language):
        form = Form({"day": "05/12/2026"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == DAY
