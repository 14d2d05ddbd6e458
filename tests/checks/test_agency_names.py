"""An agency protects its name even where it has no channel of that kind (issue 10 A5)."""

from typer.testing import CliRunner

from chinhthong.config import cli

cli._mount()
runner = CliRunner()


def test_a_host_with_a_departments_initials_names_the_department(client, default_registry):
    response = client.post(
        "/api/v1/check",
        {"input": "https://syt-quangninh.top/ho-tro"},
        content_type="application/json",
    )
    data = response.json()
    assert data["verdict"] == "impersonation"
    assert data["reasons"][0]["code"] == "agency_name"
    assert data["reasons"][0]["message"] == (
        "syt-quangninh.top được viết bằng tên của Sở Y tế tỉnh Quảng Ninh (“syt-quangninh”) "
        "nhưng không phải kênh nào của đơn vị này trong danh mục."
    )
    # The department has no website of its own in the registry: it is named, not linked.
    assert data["lookalike_of"]["kind"] == "agency"
    assert data["lookalike_of"]["agency_name"] == "Sở Y tế tỉnh Quảng Ninh"


def test_the_page_names_an_agency_without_a_channel(client, default_registry):
    page = client.get("/kiem-tra/", {"q": "conganquangninh.com"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "verdict-impersonation" in html
    assert "Công an tỉnh Quảng Ninh" in html


def test_a_scam_text_naming_the_department_is_an_impersonation(client, default_registry):
    text = "Sở Y tế thông báo: truy cập https://syt-quangninh.top/ho-tro để nhận hỗ trợ"
    response = client.post("/api/v1/check", {"input": text}, content_type="application/json")
    data = response.json()
    assert (data["kind"], data["verdict"]) == ("text", "impersonation")


def test_a_display_name_of_the_provincial_police_on_free_mail(default_registry):
    result = runner.invoke(
        cli.app, ["check", "Công an tỉnh Quảng Ninh <congan.qn@gmail.com>"], catch_exceptions=False
    )
    assert "GIẢ MẠO (impersonation)" in result.stdout, result.stdout
    # Named without an empty identifier: the police have no mail channel in the registry.
    assert "Công an tỉnh Quảng Ninh" in result.stdout and "()" not in result.stdout
