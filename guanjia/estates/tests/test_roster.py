"""O01: importing an estate's units and customers from an .xlsx roster, checked row by row, all or nothing."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.estates.models import Building, Customer, CustomerKind, CustomerPhone, Residency, Unit, UnitStatus
from guanjia.estates.roster import services as roster_services
from guanjia.estates.roster.columns import COLUMNS
from guanjia.estates.roster.services import roster_import, roster_parse, roster_validate
from guanjia.estates.services import id_number_keys
from guanjia.testing.factories import make_building
from guanjia.timeline.models import Event
from guanjia.timeline.selectors import events_for

HEADERS = [c.header for c in COLUMNS]


def row(**values):
    """One roster row by column header; missing cells are empty."""
    return [values.get(h) for h in HEADERS]


def xlsx(rows, headers=None, name="名册.xlsx", title=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "房屋与客户"
    if title:
        sheet.append([title])
    sheet.append(HEADERS if headers is None else headers)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def run(world, rows, *, create_buildings=True, dry_run=False, **kw):
    return roster_import(
        project=world.estate,
        file=xlsx(rows, **kw),
        actor=world.office_manager,
        create_buildings=create_buildings,
        dry_run=dry_run,
    )


def snapshot(world):
    return (
        Building.objects.filter(project=world.estate).count(),
        Unit.objects.filter(project=world.estate).count(),
        Customer.objects.filter(project=world.estate).count(),
        CustomerPhone.objects.count(),
        Residency.objects.count(),
    )


CLEAN = [
    row(楼栋="5栋", 单元="2", 房号="1201", 楼层=12, 建筑面积=89.5, 房屋状态="已入住", 客户姓名="张伟",
        客户类别="业主", 电话="13912340001、0755-86001234", 证件号码="44030119900101123X",
        入住日期=datetime(2021, 5, 1), 备注="车位 B2-018"),
    row(楼栋="5栋", 单元="2", 房号="1201", 客户姓名="刘洋", 客户类别="家庭成员", 电话="13800138001",
        入住日期="2021-05-02"),
    row(楼栋="5栋", 单元="2", 房号="1202", 楼层=12, 房屋状态="空置"),
    row(楼栋="6", 单元="1", 房号="0301", 房屋状态="已入住", 客户姓名="张伟", 客户类别="业主", 电话="13912340001"),
    row(楼栋="6", 房号="101", 房屋状态="装修中", 客户姓名="陈静", 客户类别="租户", 电话="13700000002; 13700000003"),
]  # fmt: skip


def test_o01_clean_file_imports_units_customers_phones_residencies_and_move_in_dates(world):
    result = run(world, CLEAN)

    assert result.ok and result.imported
    assert result.counts == {
        "rows": 5,
        "buildings": 2,
        "units": 4,
        "customers": 3,
        "customers_linked": 0,
        "phones": 5,
        "residencies": 4,
    }
    unit = Unit.objects.get(project=world.estate, building__number="5", entrance="2", room="1201")
    assert (unit.floor, unit.area_m2, unit.status) == (12, Decimal("89.50"), UnitStatus.OCCUPIED)
    assert unit.number == "5栋2单元1201"
    assert Unit.objects.get(building__number="5", room="1202").status == UnitStatus.VACANT
    assert Unit.objects.get(building__number="6", room="101").entrance == ""
    zhang = Customer.objects.get(project=world.estate, name="张伟")
    assert [p.number for p in zhang.phones.all()] == ["13912340001", "0755-86001234"]
    assert zhang.name_initials == "zw" and zhang.note == "车位 B2-018"
    assert Residency.objects.get(customer=zhang, unit=unit).move_in_date == date(2021, 5, 1)
    liu = Customer.objects.get(name="刘洋")
    assert liu.kind == CustomerKind.HOUSEHOLD_MEMBER
    assert liu.residencies.get().move_in_date == date(2021, 5, 2)
    assert [p.number for p in Customer.objects.get(name="陈静").phones.all()] == ["13700000002", "13700000003"]


def test_o01_customer_on_several_rows_with_same_name_and_phone_is_one_customer_with_several_units(world):
    run(world, CLEAN)

    zhang = Customer.objects.get(project=world.estate, name="张伟")
    assert sorted(u.number for u in zhang.units.all()) == ["5栋2单元1201", "6栋1单元0301"]


def test_o01_import_records_one_timeline_event_on_the_project(world):
    run(world, CLEAN)

    (event,) = events_for(world.estate).filter(verb="roster.imported")
    assert event.actor == world.office_manager and event.project == world.estate
    assert event.data["file"] == "名册.xlsx"
    assert event.data["units"] == 4 and event.data["customers"] == 3 and event.data["rows"] == 5


def test_id_number_is_stored_only_as_last_four_and_keyed_hash(world):
    run(world, CLEAN)

    zhang = Customer.objects.get(name="张伟")
    assert (zhang.id_number_last4, zhang.id_number_hash) == id_number_keys("44030119900101123X")
    assert not Customer.objects.filter(note__contains="440301").exists()


def test_dry_run_reports_counts_and_writes_nothing(world):
    before = snapshot(world)

    result = run(world, CLEAN, dry_run=True)

    assert result.ok and not result.imported and result.counts["units"] == 4
    assert snapshot(world) == before
    assert not Event.objects.filter(verb="roster.imported").exists()


OK = {"楼栋": "3", "单元": "2", "房屋状态": "已入住", "客户姓名": "王强", "客户类别": "业主", "电话": "13911112222"}


@pytest.mark.parametrize(
    ("cells", "column", "problem"),
    [
        ({"房号": "1301", "电话": "139111"}, "电话", "电话号码格式不正确：139111"),
        ({"房号": "1301", "电话": "13911112222、abc"}, "电话", "abc"),
        ({"房号": "1301", "房屋状态": "出租"}, "房屋状态", "“出租”无效"),
        ({"房号": "1301", "客户类别": "房东"}, "客户类别", "“房东”无效"),
        ({"房号": "1301", "客户类别": None}, "客户类别", "请填写客户类别"),
        ({"房号": "1301", "入住日期": "2021-13-01"}, "入住日期", "不是有效日期"),
        ({"房号": "1301", "入住日期": "5月1日"}, "入住日期", "不是有效日期"),
        ({"房号": "1301", "入住日期": "2999-01-01"}, "入住日期", "晚于今天"),
        ({"房号": None}, "房号", "请填写房号"),
        ({"房号": "1301", "楼栋": None}, "楼栋", "请填写楼栋"),
        ({"房号": "1301", "房屋状态": None}, "房屋状态", "请填写房屋状态"),
        ({"房号": "1" * 17}, "房号", "最多 16 个字"),
        ({"房号": "1301", "客户姓名": "王" * 51}, "客户姓名", "最多 50 个字"),
        ({"房号": "1301", "备注": "长" * 501}, "备注", "最多 500 个字"),
        ({"房号": "1301", "楼层": "十二"}, "楼层", "无效"),
        ({"房号": "1301", "建筑面积": "-3"}, "建筑面积", "无效"),
        ({"房号": "1301", "证件号码": "12"}, "证件号码", "证件号码格式不正确"),
        ({"房号": "1301", "证件号码": 440301199001011234}, "证件号码", "文本格式"),
        ({"房号": "1301", "客户姓名": None, "电话": None}, "客户类别", "未填写客户姓名"),
        ({"房号": "1201"}, "房号", "房屋 3栋2单元1201 已存在"),
        ({"房号": "1301", "楼栋": "99"}, "楼栋", "楼栋“99”在本项目中不存在"),
    ],
)
def test_o01_every_error_is_reported_with_row_and_column_and_nothing_is_written(world, cells, column, problem):
    # Given a clean first row and a faulty second one (Excel row 3)
    first = row(
        楼栋="3", 单元="2", 房号="1101", 房屋状态="已入住", 客户姓名="赵敏", 客户类别="业主", 电话="13600000001"
    )
    before = snapshot(world)

    result = run(world, [first, row(**{**OK, **cells})], create_buildings=False)

    assert not result.imported
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], result.errors
    assert problem in result.errors[0].message
    assert snapshot(world) == before
    assert not Event.objects.filter(verb="roster.imported").exists()


def test_all_problems_of_the_file_are_collected_at_once(world):
    rows = [
        row(**{**OK, "房号": "1301", "电话": "123"}),
        row(**{**OK, "房号": "1302", "房屋状态": "出租", "入住日期": "昨天"}),
        row(**{**OK, "房号": None}),
    ]

    result = run(world, rows)

    assert [(e.row, e.column) for e in result.errors] == [(2, "电话"), (3, "房屋状态"), (3, "入住日期"), (4, "房号")]


def test_o01_reimporting_the_same_file_reports_every_unit_as_duplicate(world):
    assert run(world, CLEAN).imported
    before = snapshot(world)

    again = run(world, CLEAN)

    assert not again.imported
    assert {(e.row, e.column) for e in again.errors} == {(2, "房号"), (4, "房号"), (5, "房号"), (6, "房号")}
    assert all("已存在于本项目" in e.message for e in again.errors)
    assert snapshot(world) == before


def test_unit_described_differently_on_two_rows_is_reported_naming_the_other_row(world):
    rows = [
        row(**{**OK, "房号": "1301", "楼层": 13}),
        row(**{**OK, "房号": "1301", "楼层": 14, "客户姓名": "王小强", "客户类别": "家庭成员"}),
        row(**{**OK, "房号": "1301", "房屋状态": "空置", "客户姓名": "王二", "客户类别": "家庭成员"}),
    ]

    result = run(world, rows)

    assert [(e.row, e.column) for e in result.errors] == [(3, "楼层"), (4, "房屋状态")]
    assert "与第 2 行的同一房屋 3栋2单元1301 不一致" in result.errors[0].message
    assert "已入住" in result.errors[1].message


def test_same_customer_twice_in_one_unit_is_a_duplicate_row(world):
    result = run(world, [row(**{**OK, "房号": "1301"}), row(**{**OK, "房号": "1301"})])

    assert [(e.row, e.column) for e in result.errors] == [(3, "客户姓名")]
    assert "与第 2 行重复" in result.errors[0].message


def test_same_customer_with_different_id_number_is_reported(world):
    rows = [
        row(**{**OK, "房号": "1301", "证件号码": "44030119900101123X"}),
        row(**{**OK, "房号": "1302", "客户类别": "租户"}),
        row(**{**OK, "房号": "1303", "证件号码": "440301199001011240"}),
    ]

    result = run(world, rows, dry_run=True)

    assert [(e.row, e.column) for e in result.errors] == [(4, "证件号码")]
    assert "与第 2 行的同一客户" in result.errors[0].message


def test_o01_owner_of_one_unit_who_rents_another_is_imported_as_one_customer_with_two_kinds(world):
    # Given one person (same name and phone) as the owner of 1301 and the tenant of 1302
    rows = [row(**{**OK, "房号": "1301"}), row(**{**OK, "房号": "1302", "客户类别": "租户"})]

    # When the roster is imported
    result = run(world, rows)

    # Then there is one customer, whose main kind is the first row's, with a residency of each kind
    assert result.errors == []
    customer = Customer.objects.get(project=world.estate, name=OK["客户姓名"])
    assert customer.kind == CustomerKind.OWNER
    kinds = {r.unit.room: r.kind for r in customer.residencies.select_related("unit")}
    assert kinds == {"1301": CustomerKind.OWNER, "1302": CustomerKind.TENANT}


def test_unknown_building_is_created_only_when_asked(world):
    rows = [row(**{**OK, "楼栋": "A座", "房号": "101"}), row(**{**OK, "楼栋": "12号楼", "房号": "101"})]

    refused = run(world, rows, create_buildings=False)
    created = run(world, rows, create_buildings=True)

    assert [(e.row, e.column) for e in refused.errors] == [(2, "楼栋"), (3, "楼栋")]
    assert created.imported
    a, twelve = Building.objects.filter(project=world.estate).exclude(pk=world.building.pk).order_by("id")
    assert (a.number, a.label, twelve.number, twelve.label) == ("A", "A座", "12", "12栋")


def test_existing_building_is_found_by_number_label_or_name(world):
    make_building(world.estate, "7", name="紫荆阁")
    rows = [
        row(**{**OK, "楼栋": "3", "房号": "1301"}),
        row(**{**OK, "楼栋": "3栋", "房号": "1302"}),
        row(**{**OK, "楼栋": "3号楼", "房号": "1303"}),
        row(**{**OK, "楼栋": "紫荆阁", "房号": "101"}),
    ]

    result = run(world, rows, create_buildings=False)

    assert result.imported, result.errors
    assert world.building.units.filter(room__in=["1301", "1302", "1303"]).count() == 3
    assert Unit.objects.get(project=world.estate, room="101").building.name == "紫荆阁"


def test_o01_customer_already_in_the_project_gets_the_new_unit_instead_of_a_twin(world):
    # 李明 (13912345678) already lives in 3栋2单元1201
    result = run(world, [row(**{**OK, "房号": "1301", "客户姓名": "李明", "电话": "13912345678/13599990000"})])

    assert result.counts["customers"] == 0 and result.counts["customers_linked"] == 1
    assert Customer.objects.filter(project=world.estate, name="李明").count() == 1
    assert sorted(u.number for u in world.customer.units.all()) == ["3栋2单元1201", "3栋2单元1301"]
    assert [p.number for p in world.customer.phones.all()] == ["13912345678", "13599990000"]


def test_phone_cells_accept_numbers_and_every_separator(world):
    rows = [
        row(**{**OK, "房号": "1301", "电话": 13911112222}),
        row(**{**OK, "房号": "1302", "客户姓名": "钱多", "电话": "13911113333,13911114444；139 1111 5555"}),
        row(**{**OK, "房号": "1303", "客户姓名": "孙丽", "电话": "13911116666 13911117777／0755-86001234"}),
    ]

    assert run(world, rows).imported
    assert [p.number for p in Customer.objects.get(name="钱多").phones.all()] == [
        "13911113333",
        "13911114444",
        "13911115555",
    ]
    assert Customer.objects.get(name="孙丽").phones.count() == 3


def test_headers_are_found_by_name_in_any_order_with_spaces_and_a_title_line(world):
    headers = [" 房号 ", "楼栋*", "房屋状态", "联系电话", "客户姓名", "客户类别", "单元"]
    rows = [["1301", "3", "已入住", "13911112222", "王强", "业主", "2"]]

    result = run(world, rows, headers=headers, title="滨江花园 业主名册")

    assert result.imported, result.errors
    assert Unit.objects.filter(building=world.building, entrance="2", room="1301").exists()
    assert result.parsed.header_row == 2


def test_missing_required_column_is_a_clear_file_error(world):
    result = run(world, [["3", "1301"]], headers=["楼栋", "房号"])

    assert [(e.row, e.column) for e in result.errors] == [(None, "")]
    assert "缺少必填列：房屋状态" in result.errors[0].message


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("名册.xlsx", "楼栋,房号\n3,1201\n".encode(), "不是有效的 Excel"),
        ("名册.xls", b"\xd0\xcf\x11\xe0 old excel", "只支持 Excel .xlsx"),
        ("名册.csv", b"a,b", "只支持 Excel .xlsx"),
        ("名册.xlsx", b"", "文件是空的"),
    ],
)
def test_file_that_is_not_an_xlsx_gets_a_clear_error(world, name, content, problem):
    result = roster_import(project=world.estate, file=SimpleUploadedFile(name, content), actor=world.office_manager)

    assert not result.imported and len(result.errors) == 1
    assert problem in result.errors[0].message


def test_file_over_the_row_or_size_limit_is_refused(world, monkeypatch):
    monkeypatch.setattr(roster_services, "MAX_ROWS", 2)
    too_many = run(world, [row(**{**OK, "房号": str(1300 + i)}) for i in range(3)])
    monkeypatch.setattr(roster_services, "MAX_FILE_BYTES", 100)
    too_big = run(world, [row(**OK)])

    assert "超过 2 行" in too_many.errors[0].message
    assert "文件超过 0 MB" in too_big.errors[0].message or "MB" in too_big.errors[0].message


def test_empty_sheet_and_empty_lines_are_handled(world):
    assert "没有数据行" in run(world, []).errors[0].message

    result = run(
        world, [row(**{**OK, "房号": "1301"}), [None] * len(HEADERS), row(**{**OK, "房号": "1302", "电话": "1"})]
    )

    assert [(e.row, e.column) for e in result.errors] == [(4, "电话")]


def test_unit_added_by_someone_else_during_the_import_rolls_everything_back(world, monkeypatch):
    write = roster_services._write

    def racing_write(plan, project):
        # Another manager saves 3栋2单元1302 after this file was checked, before it is written.
        Unit.objects.create(project=world.estate, building=world.building, entrance="2", room="1302")
        write(plan, project)

    monkeypatch.setattr(roster_services, "_write", racing_write)
    before = snapshot(world)

    result = run(world, [row(**{**OK, "房号": "1301"}), row(**{**OK, "房号": "1302", "客户姓名": "王二"})])

    assert not result.imported and "已被他人修改" in result.errors[0].message
    assert snapshot(world) == before


def test_parse_and_validate_can_be_used_apart(world):
    parsed = roster_parse(xlsx([row(**{**OK, "房号": "1301"})]))

    assert roster_validate(parsed, world.estate) == []
    assert [e.column for e in roster_validate(parsed, world.other_estate)] == ["楼栋"]


def test_a_role_that_may_not_manage_master_data_is_refused_by_the_service(world):
    from django.core.exceptions import PermissionDenied

    for user in (world.front_desk, world.outsider):
        with pytest.raises(PermissionDenied):
            roster_import(project=world.estate, file=xlsx([row(**OK)]), actor=user)
    assert not Unit.objects.filter(room="1301").exists()


def test_import_query_count_does_not_grow_per_row(world):
    def queries(n, first_room):
        rows = [
            row(**{**OK, "房号": str(first_room + i), "客户姓名": f"客户{i}", "电话": f"139{first_room + i:08d}"})
            for i in range(n)
        ]
        upload = xlsx(rows)
        with CaptureQueriesContext(connection) as ctx:
            assert roster_import(project=world.estate, file=upload, actor=None, create_buildings=True).imported
        return len(ctx.captured_queries)

    ContentType.objects.get_for_model(world.estate)  # the content-type cache is warm in a running server
    small = queries(5, 1000)

    # Within one batch the count is the same for 5 rows as for 60; beyond it, a few queries per batch
    # (SQLite binds at most 999 parameters per statement, so its batches hold ~100 rows).
    assert queries(60, 2000) == small <= 20
    assert queries(600, 5000) <= small + 20
