"""The columns of the roster sheet (O01): their Chinese headers, the names people also use for them, and
the explanation printed in the template's 填写说明 sheet."""

from __future__ import annotations

import re
from dataclasses import dataclass

SHEET_NAME = "房屋与客户"
HELP_SHEET_NAME = "填写说明"
ERROR_HEADER = "错误"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    example: str
    aliases: tuple[str, ...] = ()
    #: Excel keeps these as text ("@") so long numbers and leading zeros survive.
    text: bool = False
    width: int = 12


COLUMNS: tuple[Column, ...] = (
    Column("building", "楼栋", True, "楼栋号，如 3 或 3栋、A座。", "3栋", ("楼号", "楼栋号", "栋"), text=True),
    Column("entrance", "单元", False, "单元号，如 2；没有单元的楼栋留空。", "2", ("单元号",), text=True, width=8),
    Column("room", "房号", True, "房号，如 1201。", "1201", ("房间号", "房屋号", "门牌号"), text=True, width=10),
    Column("floor", "楼层", False, "整数，地下层用负数，如 -1；可留空。", "12", ("层",), width=8),
    Column("area", "建筑面积", False, "平方米，可带两位小数，如 89.50；可留空。", "89.50", ("面积", "建筑面积㎡")),
    Column(
        "status", "房屋状态", True, "已入住、空置 或 装修中。同一房屋写在多行时，只需在一行填写。", "已入住", ("状态",)
    ),
    Column(
        "name",
        "客户姓名",
        False,
        "业主、租户或家庭成员的姓名；空置且无客户的房屋留空。",
        "李明",
        ("姓名", "客户", "业主姓名"),
    ),
    Column("kind", "客户类别", False, "业主、租户 或 家庭成员；填写了客户姓名时必填。", "业主", ("类别", "客户类型")),
    Column(
        "phones",
        "电话",
        False,
        "手机或座机；多个号码用 、 , ; / 或空格分隔，如 13912345678、0755-86001234。",
        "13912345678、0755-86001234",
        ("联系电话", "手机", "手机号", "手机号码", "电话号码"),
        text=True,
        width=28,
    ),
    Column(
        "id_number",
        "证件号码",
        False,
        "身份证或其他证件号；只保存后四位和校验值，原号码不保存。请以文本格式填写。",
        "44030119900101123X",
        ("身份证号", "身份证号码", "证件号"),
        text=True,
        width=22,
    ),
    Column(
        "move_in",
        "入住日期",
        False,
        "日期单元格或文本 YYYY-MM-DD，如 2021-05-01；可留空。",
        "2021-05-01",
        ("入住时间",),
    ),
    Column("note", "备注", False, "客户的备注，最多 500 字。", "车位 B2-018", width=24),
)

BY_KEY = {c.key: c for c in COLUMNS}
MERGE_HELP = (
    "一行写一位客户。同一房屋有多位客户（业主、家庭成员、租户）时写成多行，楼栋、单元、房号相同。"
    "同一客户拥有多套房屋时，每套写一行，姓名和电话相同，导入后为一位客户、多套房屋。"
    "文件中任何一行有错误时，整个文件都不会导入；请按错误报告修改后重新上传。"
)


def normalize_header(raw: object) -> str:
    """A header cell as a key: no spaces, no "*" marks, no hint in brackets ("电话（多个用、分隔）" → "电话")."""
    text = re.sub(r"[（(【\[].*?[)）】\]]", "", str(raw or ""))
    return re.sub(r"[\s*＊:：]", "", text)


HEADER_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        HEADER_LOOKUP[normalize_header(_name)] = _column.key
