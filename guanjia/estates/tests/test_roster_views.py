"""O01/O04: the roster import pages: template download, check only, import, error report; managers only."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanjia.accounts.models import Role
from guanjia.desk.middleware import SESSION_KEY
from guanjia.estates.models import Customer, Unit
from guanjia.testing.factories import make_staff

IMPORT = reverse("roster:import")
TEMPLATE = reverse("roster:template")


def filled_template(client, rows):
    """Download the template, fill rows under its headers as a user would in Excel, return the upload."""
    response = client.get(TEMPLATE)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["房屋与客户"]
    headers = [c.value for c in sheet[1]]
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("滨江花园名册.xlsx", out.getvalue())


ROWS = [
    {"楼栋": "3", "单元": "2", "房号": "1301", "房屋状态": "已入住", "客户姓名": "王强", "客户类别": "业主",
     "电话": "13911112222", "入住日期": "2022-03-01"},
    {"楼栋": "3", "单元": "2", "房号": "1302", "房屋状态": "空置"},
]  # fmt: skip


def test_template_has_chinese_headers_and_a_help_sheet(web_as, world):
    response = web_as(world.office_manager).get(TEMPLATE)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["房屋与客户", "填写说明"]
    headers = [c.value for c in book["房屋与客户"][1]]
    assert headers[:3] == ["楼栋", "单元", "房号"] and "证件号码" in headers and "入住日期" in headers
    assert book["房屋与客户"].max_row == 1  # no example rows to import by mistake
    assert any("3栋" in str(c.value) for c in book["填写说明"]["A"])


def test_o01_template_round_trip_imports_the_filled_rows(web_as, world):
    client = web_as(world.office_manager)

    response = client.post(IMPORT, {"file": filled_template(client, ROWS), "action": "import"})

    assert response.status_code == 200
    assert "已导入" in response.content.decode()
    assert Unit.objects.filter(project=world.estate, building=world.building, room__in=["1301", "1302"]).count() == 2
    wang = Customer.objects.get(project=world.estate, name="王强")
    assert wang.residencies.get().move_in_date.isoformat() == "2022-03-01"


def test_check_only_shows_counts_and_writes_nothing(web_as, world):
    client = web_as(world.supervisor)

    response = client.post(IMPORT, {"file": filled_template(client, ROWS), "action": "check"})

    page = response.content.decode()
    assert "检查通过" in page and "新建客户" in page
    assert not Unit.objects.filter(room="1301").exists()


def test_errors_are_listed_with_row_and_column_and_the_report_downloads(web_as, world):
    client = web_as(world.office_manager)
    bad = [{**ROWS[0], "电话": "123"}, {**ROWS[1], "楼栋": "99"}]

    response = client.post(IMPORT, {"file": filled_template(client, bad), "action": "import"})

    page = response.content.decode()
    assert "发现 2 处问题，未导入任何数据" in page
    assert "电话号码格式不正确：123" in page and "楼栋“99”在本项目中不存在" in page
    assert not Unit.objects.filter(room="1301").exists()
    report = client.get(response.context["report_url"])
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    header = [c.value for c in sheet[1]]
    errors = {r[header.index("原行号")]: r[header.index("错误")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert errors[2] == "电话：电话号码格式不正确：123"
    assert errors[3].startswith("楼栋：")


def test_create_missing_buildings_option_creates_them(web_as, world):
    client = web_as(world.office_manager)
    rows = [{**ROWS[1], "楼栋": "8"}]

    response = client.post(
        IMPORT, {"file": filled_template(client, rows), "action": "import", "create_buildings": "on"}
    )

    assert "已导入" in response.content.decode()
    assert Unit.objects.get(project=world.estate, room="1302", building__number="8").number == "8栋2单元1302"


def test_uploaded_file_that_is_not_xlsx_gets_a_clear_error(web_as, world):
    upload = SimpleUploadedFile("名册.xlsx", "楼栋,房号\n3,1201\n".encode())

    response = web_as(world.office_manager).post(IMPORT, {"file": upload, "action": "import"})

    assert response.status_code == 200
    assert "文件不是有效的 Excel (.xlsx) 文件" in response.content.decode()


def test_missing_file_is_a_form_error_not_a_500(web_as, world):
    response = web_as(world.office_manager).post(IMPORT, {"action": "import"})

    assert response.status_code == 200
    assert "请选择要上传的 .xlsx 文件" in response.content.decode()


@pytest.mark.parametrize("persona", ["front_desk", "butler", "technician", "outsider"])
def test_o04_only_managers_may_import(web_as, world, persona):
    client = web_as(world.persona(persona))
    upload = SimpleUploadedFile("名册.xlsx", b"x")

    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": upload, "action": "import"}).status_code == 403
    assert not Unit.objects.filter(room="1301").exists()


def test_o04_manager_of_another_estate_imports_only_into_their_own(web_as, world):
    # Given a manager of 翠湖苑 whose session points at 滨江花园 (a forged or stale project id)
    manager = make_staff(Role.OFFICE_MANAGER, projects=(world.other_estate,), username="cuihu_mgr")
    client = web_as(manager)
    session = client.session
    session[SESSION_KEY] = world.estate.pk
    session.save()

    response = client.post(
        IMPORT, {"file": filled_template(client, ROWS), "action": "import", "create_buildings": "on"}
    )

    assert response.context["project"] == world.other_estate
    assert not Unit.objects.filter(project=world.estate, room="1301").exists()
    assert Unit.objects.filter(project=world.other_estate, room="1301").exists()


def test_error_report_of_another_user_is_not_found(web_as, world, client):
    manager = web_as(world.office_manager)
    response = manager.post(IMPORT, {"file": filled_template(manager, [{**ROWS[0], "电话": "1"}]), "action": "check"})
    url = response.context["report_url"]

    client.force_login(world.supervisor)

    assert client.get(url).status_code == 404


def test_page_renders_for_a_manager_with_a_bounded_number_of_queries(web_as, world, django_assert_max_num_queries):
    client = web_as(world.general_manager)

    with django_assert_max_num_queries(10):
        response = client.get(IMPORT)

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("roster:template") in page and 'name="action" value="check"' in page
