"""POST /api/v1/check with JSON built to break a recursive parser (brackets nested a thousand
deep and more): a 422 saying the body is not valid JSON, or that the inputs are not texts —
never a 500."""

import pytest

PATH = "/api/v1/check"
NESTED = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("[" * 5000 + "]" * 5000, "Nội dung yêu cầu không phải JSON hợp lệ."),
        (NESTED, 'Hãy gửi {"input": …} hoặc {"inputs": […]}.'),
        ('{"input": ' + NESTED + "}", "“input” phải là một chuỗi văn bản."),
        ('{"inputs": [' + NESTED + "]}", "“inputs” phải là một danh sách các chuỗi văn bản."),
    ],
)
def test_deeply_nested_json_is_refused_saying_why(client, db, body, said):
    answer = client.post(PATH, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi")
    assert answer.status_code == 422
    assert answer.json() == {"detail": said}
