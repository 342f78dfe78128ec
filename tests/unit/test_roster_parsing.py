"""Roster import without a database: the template, reading workbooks and JSON rows, the report."""

from __future__ import annotations

import json
import time
import zipfile
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from backend.accounts.models import TRAINEE_CATEGORY_LABELS, TraineeCategory
from backend.classes.roster_import import (
    MAX_ROWS,
    ROSTER_COLUMNS,
    RosterFileError,
    RosterProblem,
    RosterRow,
    build_template,
    parse_rows,
    parse_xlsx,
)
from backend.security.idcard import make_id_number

HEADERS = [column.title for column in ROSTER_COLUMNS]
KEYS = [column.key for column in ROSTER_COLUMNS]
GRADUATE = TRAINEE_CATEGORY_LABELS[TraineeCategory.UNEMPLOYED_GRADUATE]
VETERAN = TRAINEE_CATEGORY_LABELS[TraineeCategory.VETERAN]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"]


def person_id(seq: int, born: date = date(2001, 3, 14), region: str = "350102") -> str:
    """A valid ID number: odd seq is a man, even seq a woman."""
    return make_id_number(region, born, seq)


def masked_id(id_number: str) -> str:
    return id_number[:6] + "********" + id_number[-4:]


def workbook_bytes(rows: list[list[Any]], headers: list[Any] | None = None) -> bytes:
    """A one-sheet workbook: the header row, then the given rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS if headers is None else headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def full_row(**cells: Any) -> list[Any]:
    """A row in template column order; unspecified cells left empty."""
    return [cells.get(key) for key in KEYS]


def broken(id_number: str) -> str:
    """The same ID number with a wrong check character."""
    return id_number[:17] + ("1" if id_number[17] == "0" else "0")


def good_cells(i: int) -> dict[str, Any]:
    """Realistic, valid cells with a distinct ID number for person number i (0-based)."""
    return {
        "seq": i + 1,
        "name": SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
        "id_number": person_id(i % 1000, date(1995 + i % 10, 1 + i % 12, 1 + i % 28)),
        "phone": f"139{i:08d}",
        "category": GRADUATE,
        "education": "本科",
        "school": "福州大学",
        "major": "市场营销",
        "graduation_year": 2024,
    }


def problem_tuples(problems: list[RosterProblem]) -> list[tuple[int, str, str, str]]:
    return [(p.row, p.column, p.value, p.reason) for p in problems]


def test_a_valid_workbook_built_in_the_test_parses() -> None:
    man, woman = person_id(17, date(1999, 7, 1)), person_id(24, date(2002, 11, 30))
    data = workbook_bytes(
        [
            full_row(
                seq=1,
                name=" 陈志强 ",
                id_number=man,
                phone="138 0013 8000",
                category=GRADUATE,
                gender="男",
                education="本科",
                school="福州大学",
                major="土木工程",
                graduation_year=2024,
            ),
            full_row(
                seq=2,
                name="林  晓雯",
                id_number="'" + woman[:17] + woman[17].lower(),
                phone="'13912345678",
                category="veteran",
                graduation_year="2023",
            ),
        ]
    )
    result = parse_xlsx(data)
    assert result.ok and result.problems == []
    first, second = result.rows
    assert first == RosterRow(
        row=2,
        name="陈志强",
        id_number=man,
        phone="13800138000",
        category=TraineeCategory.UNEMPLOYED_GRADUATE,
        gender="male",
        education="本科",
        school="福州大学",
        major="土木工程",
        graduation_year=2024,
    )
    assert second.row == 3 and second.name == "林晓雯"
    assert second.id_number == woman.upper() and second.phone == "13912345678"
    assert second.category is TraineeCategory.VETERAN
    assert second.gender == "female"  # derived from the ID number
    assert (second.education, second.school, second.major) == ("", "", "")
    assert second.graduation_year == 2023


def test_the_template_has_a_styled_header_drop_downs_instructions_and_an_example() -> None:
    workbook = load_workbook(BytesIO(build_template()))
    assert workbook.sheetnames == ["学员名册", "填写说明"]
    sheet = workbook["学员名册"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 20  # 身份证号码
    assert sheet["A2"].value == "示例"
    lists = {
        str(dv.sqref).split(":")[0]: dv.formula1
        for dv in sheet.data_validations.dataValidation
        if dv.type == "list"
    }
    assert all(label in lists["E2"] for label in TRAINEE_CATEGORY_LABELS.values())
    assert "初中及以下" in lists["G2"] and "博士" in lists["G2"]
    guide = "\n".join(
        str(value) for row in workbook["填写说明"].iter_rows(values_only=True) for value in row
    )
    assert all(column.header in guide for column in ROSTER_COLUMNS)
    assert "示例" in guide


def test_the_template_round_trips_and_its_example_row_is_skipped() -> None:
    workbook = load_workbook(BytesIO(build_template()))
    sheet = workbook["学员名册"]
    people = [good_cells(i) for i in range(5)]
    for offset, cells in enumerate(people):
        for index, key in enumerate(KEYS, start=1):
            sheet.cell(row=3 + offset, column=index, value=cells.get(key))
    buffer = BytesIO()
    workbook.save(buffer)

    result = parse_xlsx(buffer.getvalue())

    assert result.ok
    assert [row.row for row in result.rows] == [3, 4, 5, 6, 7]
    assert [row.name for row in result.rows] == [cells["name"] for cells in people]
    assert [row.id_number for row in result.rows] == [cells["id_number"] for cells in people]


def test_the_untouched_template_parses_to_nothing() -> None:
    result = parse_xlsx(build_template())
    assert result.rows == [] and result.problems == []


BAD_ROWS_ID = person_id(31)


def bad_rows() -> list[dict[str, Any]]:
    """One record per kind of problem, in sheet order (the sheet row is index + 2)."""
    fine = good_cells
    return [
        fine(0),  # row 2: fine
        {**fine(1), "name": "  "},  # row 3
        {**fine(2), "id_number": broken(fine(2)["id_number"])},  # row 4: checksum
        {**fine(3), "id_number": "35010219"},  # row 5: too short
        {**fine(4), "phone": "1380013800"},  # row 6: 10 digits
        {**fine(5), "category": "失业人员"},  # row 7
        {**fine(6), "gender": "女"},  # row 8: seq 6 is even, so the ID says female
        {**fine(7), "gender": "女"},  # row 9: seq 7 is odd, so the ID says male
        {**fine(8), "graduation_year": 1949},  # row 10
        {**fine(9), "graduation_year": "24年"},  # row 11
        {**fine(10), "education": "中学"},  # row 12
        {**fine(11), "id_number": fine(0)["id_number"]},  # row 13: same ID as row 2
        {**fine(12), "phone": fine(0)["phone"]},  # row 14: same phone as row 2 is allowed
        {  # row 15: several bad cells at once
            "seq": 15,
            "name": "",
            "id_number": broken(BAD_ROWS_ID),
            "phone": "23800138000",
            "category": "",
            "gender": "未知",
        },
    ]


def expected_bad_row_problems(first: int) -> list[tuple[int, str, str, str]]:
    """The report for bad_rows(), numbering its first record `first`."""
    cells = [good_cells(i) for i in range(13)]
    labels = "、".join(TRAINEE_CATEGORY_LABELS.values())
    return [
        (first + 1, "姓名", "", "姓名不能为空"),
        (first + 2, "身份证号码", masked_id(broken(cells[2]["id_number"])), "校验码错误"),
        (first + 3, "身份证号码", "********", "长度必须为18位"),
        (first + 4, "手机号码", "**********", "手机号码必须为11位"),
        (first + 5, "人员类别", "失业人员", f"人员类别无效，应为以下之一：{labels}"),
        (first + 7, "性别", "女", "性别与身份证号码不符（按身份证号码应为男）"),
        (first + 8, "毕业年份", "1949", "毕业年份应在1950年至2030年之间"),
        (first + 9, "毕业年份", "24年", "毕业年份应为4位数字年份，如2024"),
        (
            first + 10,
            "学历",
            "中学",
            "学历应为以下之一：初中及以下、高中、中专、大专、本科、硕士、博士",
        ),
        (
            first + 11,
            "身份证号码",
            masked_id(cells[0]["id_number"]),
            f"与第{first}行身份证号码重复",
        ),
        (first + 13, "姓名", "", "姓名不能为空"),
        (first + 13, "身份证号码", masked_id(broken(BAD_ROWS_ID)), "校验码错误"),
        (first + 13, "手机号码", "238****8000", "手机号码格式无效，应以13至19开头"),
        (first + 13, "人员类别", "", "人员类别不能为空"),
        (first + 13, "性别", "未知", "性别应填写“男”或“女”，也可不填"),
    ]


def test_every_kind_of_problem_is_reported_at_once_with_row_column_and_masked_value() -> None:
    data = workbook_bytes([full_row(**cells) for cells in bad_rows()])

    result = parse_xlsx(data)

    assert problem_tuples(result.problems) == expected_bad_row_problems(first=2)
    assert [row.row for row in result.rows] == [2, 8, 14]
    assert not result.ok


def test_json_rows_go_through_the_same_checks() -> None:
    result = parse_rows(bad_rows())
    assert problem_tuples(result.problems) == expected_bad_row_problems(first=1)
    assert [row.row for row in result.rows] == [1, 7, 13]


def test_json_rows_accept_enum_values_and_normalize_like_the_workbook() -> None:
    woman = person_id(2, date(2003, 5, 9))
    result = parse_rows(
        [
            {
                "name": "黄丽娟",
                "id_number": woman,
                "phone": "+86 139-0000-1111",
                "category": "veteran",
            }
        ]
    )
    assert result.ok
    (row,) = result.rows
    assert (row.row, row.phone, row.category, row.gender) == (
        1,
        "13900001111",
        TraineeCategory.VETERAN,
        "female",
    )
    assert row.to_dict()["id_number"] == masked_id(woman)
    assert row.to_dict(masked=False)["id_number"] == woman
    assert row.to_dict()["phone"] == "139****1111"
    assert row.to_dict()["category_label"] == VETERAN


def test_json_items_that_are_not_objects_are_reported() -> None:
    result = parse_rows([good_cells(0), "陈志强"])  # type: ignore[list-item]
    assert problem_tuples(result.problems) == [(2, "", "", "数据格式无效：每一行应为一个对象")]


def test_a_full_id_or_phone_number_never_appears_in_any_problem_text() -> None:
    ids = [person_id(i, date(1990 + i, 2, 3)) for i in range(1, 6)]
    phones = ["13800138000", "13912345678"]
    rows = [
        full_row(name="王伟", id_number=ids[0], phone="123", category="无"),
        full_row(name="王伟", id_number=ids[0], phone=phones[0], category=GRADUATE),  # duplicate
        full_row(name=ids[1], id_number=ids[2], phone=phones[1], category=GRADUATE),  # shifted
        full_row(name="李娜", id_number=ids[3] + "1", phone=phones[0] + "9", category=GRADUATE),
        full_row(name="张敏", id_number=ids[4], phone="x", category=ids[4], school=phones[1]),
        full_row(name="赵磊", id_number=ids[4], phone=phones[1], major=ids[4], education=ids[4]),
    ]
    result = parse_xlsx(workbook_bytes(rows))
    assert len(result.problems) >= 8
    report = json.dumps(result.to_dict(), ensure_ascii=False)
    for secret in [*ids, *phones]:
        assert secret not in report
        assert secret[:-1] not in report  # nor a near-complete prefix


def test_an_id_number_typed_as_a_number_in_excel_is_explained() -> None:
    real = person_id(5, date(1990, 1, 1))
    data = workbook_bytes(
        [
            full_row(name="吴俊杰", id_number=float(real), phone="13800138000", category=GRADUATE),
            full_row(
                name="郑海燕", id_number=int(real[:17]), phone="13800138001", category=GRADUATE
            ),
        ]
    )
    result = parse_xlsx(data)
    assert [(p.row, p.column) for p in result.problems] == [(2, "身份证号码"), (3, "身份证号码")]
    assert all("文本" in p.reason and "数字" in p.reason for p in result.problems)
    assert result.problems[0].value.startswith(real[:6] + "********")
    assert real not in json.dumps(result.to_dict(), ensure_ascii=False)


def test_headers_tolerate_spaces_stars_and_full_width_parentheses_and_blank_rows_are_ignored() -> (
    None
):
    headers = [" 序号", "姓名 *", "身份证号码（必填）", "手机号码＊", "人员类别", "毕业年份(选填)"]
    data = workbook_bytes(
        [
            [1, "刘芳", person_id(8), "13800138000", GRADUATE, 2022],
            [None, None, None, "   ", None, None],
            [3, None, None, None, None, None],  # a pre-numbered, otherwise empty row
            [4, "马强", person_id(9), "13800138001", "退役军人", None],
        ],
        headers=headers,
    )
    result = parse_xlsx(data)
    assert result.ok
    assert [(row.row, row.name, row.graduation_year) for row in result.rows] == [
        (2, "刘芳", 2022),
        (5, "马强", None),
    ]


def test_the_header_may_sit_below_a_title_and_rows_keep_their_excel_numbers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2025年第一期求职能力实训学员名册"])
    sheet.append([])
    sheet.append(HEADERS)
    sheet.append(full_row(name="", id_number=person_id(3), phone="13800138000", category=GRADUATE))
    buffer = BytesIO()
    workbook.save(buffer)
    result = parse_xlsx(buffer.getvalue())
    assert problem_tuples(result.problems) == [(4, "姓名", "", "姓名不能为空")]


def test_a_missing_required_column_is_one_problem_listing_the_missing_headers() -> None:
    data = workbook_bytes([["陈志强", "13800138000"]], headers=["姓名", "手机号码", "学历"])
    result = parse_xlsx(data)
    assert result.rows == []
    assert problem_tuples(result.problems) == [
        (1, "", "", "缺少必填列：身份证号码、人员类别。请使用导入模板，不要修改或删除表头")
    ]


def test_a_sheet_without_any_header_is_one_problem_on_row_1() -> None:
    data = workbook_bytes([["陈志强", person_id(1)]], headers=["学员", "证件"])
    result = parse_xlsx(data)
    assert result.rows == []
    (problem,) = result.problems
    assert problem.row == 1
    assert "未找到表头" in problem.reason and "身份证号码" in problem.reason


def test_more_than_2000_data_rows_are_refused_with_one_problem() -> None:
    records = [good_cells(i) for i in range(MAX_ROWS + 1)]
    result = parse_rows(records)
    assert result.rows == []
    (problem,) = result.problems
    assert problem.row == MAX_ROWS + 1 and "2000" in problem.reason

    data = workbook_bytes([full_row(**cells) for cells in records])
    (problem,) = parse_xlsx(data).problems
    assert problem.row == MAX_ROWS + 2 and "2000" in problem.reason


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "姓名,身份证号码\n陈志强,350102200103140177\n".encode(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # an old .xls (OLE2) file
        b"PK\x03\x04broken zip",
    ],
    ids=["empty", "csv", "xls", "broken-zip"],
)
def test_a_file_that_is_not_xlsx_raises_roster_file_error(data: bytes) -> None:
    with pytest.raises(RosterFileError) as caught:
        parse_xlsx(data)
    assert caught.value.reason.startswith("文件不是有效的 Excel（.xlsx）文件")
    assert isinstance(caught.value, ValueError)


def test_a_zip_that_is_not_a_workbook_raises_roster_file_error() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "不是Excel")
    with pytest.raises(RosterFileError):
        parse_xlsx(buffer.getvalue())


def test_progress_is_called_every_hundred_rows_and_at_the_end_with_the_totals() -> None:
    data = workbook_bytes([full_row(**good_cells(i)) for i in range(250)])
    calls: list[tuple[int, int]] = []
    result = parse_xlsx(data, progress=lambda done, total: calls.append((done, total)))
    assert len(result.rows) == 250
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_problems_from_the_database_join_the_same_report_masked_and_ordered() -> None:
    result = parse_rows([good_cells(0), {**good_cells(1), "category": "?"}, good_cells(2)])
    enrolled = result.rows[0]
    result.add_problems([enrolled.problem("id_number", "已在其他在读班级中")])
    assert [(p.row, p.column) for p in result.problems] == [(1, "身份证号码"), (2, "人员类别")]
    assert result.problems[0].to_dict() == {
        "row": 1,
        "column": "身份证号码",
        "value": masked_id(enrolled.id_number),
        "reason": "已在其他在读班级中",
    }


def test_parsing_2000_rows_takes_well_under_two_seconds() -> None:
    data = workbook_bytes([full_row(**good_cells(i)) for i in range(MAX_ROWS)])
    started = time.perf_counter()
    result = parse_xlsx(data)
    elapsed = time.perf_counter() - started
    assert elapsed < 5
    assert len(result.rows) == MAX_ROWS and result.ok
