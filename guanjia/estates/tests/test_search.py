"""The desk's customer search (selectors.customer_search): every way a caller names themselves."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanjia.accounts.models import Role
from guanjia.estates.models import CustomerKind
from guanjia.estates.selectors import RANK_EXACT, customer_detail, customer_search, parse_query
from guanjia.testing.factories import make_building, make_customer, make_staff, make_unit

pytestmark = pytest.mark.django_db


def names(results):
    return [c.name for c in results]


def search(world, query, user=None, **kw):
    return customer_search(user=user or world.front_desk, project=world.estate, query=query, **kw)


@pytest.fixture
def estate(world):
    """滨江花园 plus 李明华 in 5-1-0301, 王小明 in 8栋 (no entrances) 1201, 张伟 with a landline."""
    b5 = make_building(world.estate, "5")
    b8 = make_building(world.estate, "8")
    make_customer(
        world.estate,
        name="李明华",
        phones=("13800005678",),
        units=(make_unit(world.estate, b5, entrance="1", room="0301"),),
    )
    make_customer(
        world.estate,
        name="王小明",
        phones=("15011112222",),
        units=(make_unit(world.estate, b8, entrance="", room="1201"),),
    )
    make_customer(world.estate, name="张伟", phones=("0755-86001234",), units=())
    return world


def test_o01_name_prefix_and_exact_name_first(estate):
    assert names(search(estate, "李明")) == ["李明", "李明华"]
    assert search(estate, "李明")[0].search_rank == RANK_EXACT


def test_name_substring_finds_given_name(estate):
    assert set(names(search(estate, "明"))) == {"李明", "李明华", "王小明"}


def test_pinyin_initials_find_the_name(estate):
    results = search(estate, "lm")
    assert names(results) == ["李明", "李明华"]
    assert results[0].matched_by == "initials"


def test_pinyin_initials_are_case_and_space_insensitive(estate):
    assert names(search(estate, " L M ")) == ["李明", "李明华"]


def test_full_pinyin_prefix(estate):
    assert names(search(estate, "liming")) == ["李明", "李明华"]
    assert names(search(estate, "wangx")) == ["王小明"]


def test_phone_any_four_digits_anywhere(estate):
    assert names(search(estate, "3456")) == ["李明"]  # 139[3456]78 -- the middle of the number
    assert names(search(estate, "5678")) == ["李明", "李明华"]
    assert names(search(estate, "13912345678")) == ["李明"]
    assert search(estate, "13912345678")[0].search_rank == RANK_EXACT


def test_phone_with_spaces_and_country_code(estate):
    assert names(search(estate, "+86 139 1234 5678")) == ["李明"]


def test_landline_digits_match_across_the_dash(estate):
    assert names(search(estate, "075586001234")) == ["张伟"]
    assert names(search(estate, "0755-8600")) == ["张伟"]


def test_fewer_than_four_digits_is_not_a_phone_search(estate):
    assert search(estate, "567") == []


@pytest.mark.parametrize("query", ["3-2-1201", "3栋2单元1201", "3号楼2单元1201室", "３－２－１２０１"])
def test_o01_fully_written_unit(estate, query):
    results = search(estate, query)
    assert names(results) == ["李明"]
    assert results[0].matched_by == "unit"


@pytest.mark.parametrize("query", ["3-1201", "3栋1201", "3#1201"])
def test_o01_building_and_room_without_entrance(estate, query):
    assert names(search(estate, query)) == ["李明"]


def test_building_without_entrances(estate):
    assert names(search(estate, "8栋1201")) == ["王小明"]
    assert names(search(estate, "8-1201")) == ["王小明"]


def test_room_only_finds_every_building(estate):
    assert set(names(search(estate, "1201"))) == {"李明", "王小明"}
    assert names(search(estate, "0301")) == ["李明华"]


def test_bare_four_digits_are_room_and_phone(estate):
    make_customer(estate.estate, name="赵敏", phones=("18612011111",))  # 1201 inside the phone number
    assert set(names(search(estate, "1201"))) == {"李明", "王小明", "赵敏"}


def test_household_members_of_a_unit_are_found_by_the_unit(estate):
    make_customer(estate.estate, name="李小红", kind=CustomerKind.HOUSEHOLD_MEMBER, units=(estate.unit,))
    assert set(names(search(estate, "3-2-1201"))) == {"李明", "李小红"}


def test_results_carry_phones_and_units(estate):
    customer = search(estate, "李明")[0]
    assert [p.number for p in customer.phones.all()] == ["13912345678"]
    assert [u.number for u in customer.units.all()] == ["3栋2单元1201"]


def test_limit_is_respected(estate):
    for i in range(6):
        make_customer(estate.estate, name=f"李{i}号", phones=())
    assert len(search(estate, "李", limit=3)) == 3


def test_empty_or_nonsense_query_returns_nothing(estate):
    assert search(estate, "") == []
    assert search(estate, "   ") == []
    assert search(estate, "%_") == []


def test_o04_outsider_finds_nothing_in_another_project(estate):
    assert search(estate, "李明", user=estate.outsider) == []
    assert search(estate, "3-2-1201", user=estate.outsider) == []
    assert search(estate, "5678", user=estate.outsider) == []


def test_o04_search_stays_inside_the_given_project(estate):
    # 赵六 lives in 翠湖苑; the general manager sees both estates but searches the one that is open.
    assert search(estate, "赵六", user=estate.general_manager) == []
    assert names(customer_search(user=estate.general_manager, project=estate.other_estate, query="赵六")) == ["赵六"]


def _count_queries(world, query):
    with CaptureQueriesContext(connection) as ctx:
        results = search(world, query)
        for c in results:  # what the results list renders
            list(c.phones.all())
            [u.number for u in c.units.all()]
    return len(ctx), len(results)


@pytest.mark.parametrize("query", ["李", "l", "liming", "5678", "1201", "3-2-1201"])
def test_search_query_count_is_constant(world, query):
    # Given a few matches for every reading of the query, then many more, the number of queries holds.
    def add(start, stop):
        for i in range(start, stop):
            make_customer(
                world.estate,
                name=f"李明{'甲乙丙丁戊己庚辛壬癸子丑寅卯辰'[i]}",
                phones=(f"138{i:04d}5678",),
                units=(world.unit,),
            )

    add(0, 2)
    small, n_small = _count_queries(world, query)
    add(2, 15)
    large, n_large = _count_queries(world, query)
    # At most: the access lookup, three readings of the query, customers, phones, units.
    assert small <= 7 and large <= 7
    assert n_large > n_small


def test_parse_query_readings():
    assert parse_query("1201").room == "1201" and parse_query("1201").phone_digits == "1201"
    assert parse_query("13912345678").room == ""
    assert parse_query("0755-86001234").unit is None
    assert parse_query("A-2-301").unit is not None


def test_o03_customer_detail_household_and_butler(world):
    spouse = make_customer(world.estate, name="王芳", kind=CustomerKind.HOUSEHOLD_MEMBER, units=(world.unit,))
    detail = customer_detail(user=world.front_desk, pk=world.customer.pk)
    assert [u.pk for u in detail.units] == [world.unit.pk]
    assert detail.household == [spouse]
    assert detail.butlers == [world.butler]


def test_o04_customer_detail_of_another_project_does_not_exist(world):
    from django.http import Http404

    with pytest.raises(Http404):
        customer_detail(user=world.outsider, pk=world.customer.pk)


def test_customer_detail_query_count_is_constant(world, django_assert_max_num_queries):
    for i in range(5):
        make_customer(world.estate, name=f"成员{i}", units=(world.unit, make_unit(world.estate, world.building)))
    world.front_desk.projects.all()  # warm nothing: the count includes the access lookup
    with django_assert_max_num_queries(6):
        detail = customer_detail(user=world.front_desk, pk=world.customer.pk)
        [m.name for m in detail.household]
        [b.display_name for b in detail.butlers]


def test_security_role_can_search_but_gets_no_reveal(world):
    guard = make_staff(Role.SECURITY, projects=(world.estate,))
    assert names(customer_search(user=guard, project=world.estate, query="李明")) == ["李明"]


def test_full_pinyin_finds_every_way_to_split_the_syllables(world):
    # "xian" is 冼 (xian) or 席安 (xi an); both must be found although the index narrows by initials.
    make_customer(world.estate, name="冼东", phones=())
    make_customer(world.estate, name="席安", phones=())
    assert set(names(search(world, "xian"))) == {"冼东", "席安"}


def test_pinyin_initials_of_a_full_pinyin_query():
    from guanjia.estates.selectors import pinyin_initials

    assert pinyin_initials("weich") == ["wc"]
    assert pinyin_initials("liming") == ["lm"]
    assert pinyin_initials("xian") == ["x"]
    assert pinyin_initials("qqqq") == []
    assert pinyin_initials("a" * 200) == ["a" * 200]  # no blow-up on a long run of letters
