"""National identity numbers, property tests: numbers built by test-side encoders.

The encoders (below) are written from the formulas in ``docs/eid-facts.md``
("National identity numbers"), never from the code under test: any valid number they build
must decode to the birth date and gender it was built from, and one changed check digit must
make it invalid, with a problem that holds no digit of the number. Hand-computed tables are
in test_national_id.py.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from normalize_helpers import COUNTRIES, FAR, NOW, assert_no_digits, parse

from eidgate._identity.national_id import parse_national_id

PROPERTY = settings(max_examples=150, deadline=None, database=None)


@given(st.text(max_size=40), st.sampled_from(COUNTRIES))
@PROPERTY
def test_any_text_never_raises(raw: str, country: str) -> None:
    result = parse_national_id(raw, country)
    if result is not None and not result.valid:
        assert_no_digits(result.problem)


@given(st.text(alphabet="0123456789-+ .ABCDEFUVWXY", min_size=8, max_size=14),
       st.sampled_from(COUNTRIES))
@PROPERTY
def test_number_like_text_never_raises(raw: str, country: str) -> None:
    result = parse_national_id(raw, country, today=NOW)
    if result is None:
        return
    if result.valid:
        assert result.problem is None
    else:
        assert_no_digits(result.problem)
        assert (result.birth_date, result.gender) == (None, None)
        assert result.value == raw.strip()


# -- property tests: test-side encoders from the spec formulas ------------------------------
HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def luhn_check(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass Luhn (doubling from the right)."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def baltic_check(payload: str) -> str:
    digits = [int(c) for c in payload]
    check = sum(d * w for d, w in zip(digits, (1, 2, 3, 4, 5, 6, 7, 8, 9, 1), strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 1, 2, 3),
                                          strict=True)) % 11
    return str(0 if check == 10 else check)


def gender_of(digit: int) -> str:
    return "male" if digit % 2 else "female"


def dates(first: date, last: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=first, max_value=last)


def other_digit(data: st.DataObject, digit: str) -> str:
    return data.draw(st.sampled_from([d for d in "0123456789" if d != digit]))


@given(born=dates(date(1800, 1, 1), FAR), zzz=st.integers(2, 999), data=st.data())
@PROPERTY
def test_property_hetu(born: date, zzz: int, data: st.DataObject) -> None:
    signs = {18: "+", 19: "-YXWVU", 20: "ABCDEF"}[born.year // 100]
    sign = data.draw(st.sampled_from(signs))
    payload = f"{born:%d%m%y}{zzz:03d}"
    check = HETU_CHECK[int(payload) % 31]
    number = f"{payload[:6]}{sign}{payload[6:]}{check}"
    result = parse(number, "FI")
    assert (result.valid, result.birth_date, result.gender) == (True, born, gender_of(zzz))
    wrong = data.draw(st.sampled_from([c for c in HETU_CHECK if c != check]))
    assert not parse(number[:-1] + wrong, "FI").valid


@given(born=dates(date(1858, 1, 1), date(2057, 12, 31)), rest=st.integers(0, 999),
       data=st.data())
@PROPERTY
def test_property_cpr(born: date, rest: int, data: st.DataObject) -> None:
    yy = born.year % 100
    if born.year < 1900:
        allowed = "5678"
    elif born.year < 2000:
        allowed = "0123" + ("49" if yy >= 37 else "")
    else:
        allowed = ("49" if yy <= 36 else "") + "5678"
    digit7 = data.draw(st.sampled_from(allowed))
    number = f"{born:%d%m%y}{digit7}{rest:03d}"
    result = parse(number, "DK")
    assert (result.valid, result.birth_date, result.gender) == (True, born, gender_of(rest))


def fnr_checks(nine: str) -> str | None:
    d = [int(c) for c in nine]
    k1 = (11 - sum(x * w for x, w in zip(d, (3, 7, 6, 1, 8, 9, 4, 5, 2), strict=True)) % 11) % 11
    if k1 == 10:
        return None
    d.append(k1)
    k2 = (11 - sum(x * w for x, w in zip(d, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True))
          % 11) % 11
    return None if k2 == 10 else f"{k1}{k2}"


@given(born=dates(date(1854, 1, 1), date(2039, 12, 31)),
       kind=st.sampled_from(["fnr", "dnr", "hnr"]), data=st.data())
@PROPERTY
def test_property_fodselsnummer(born: date, kind: str, data: st.DataObject) -> None:
    yy = born.year % 100
    if born.year < 1900:
        individual = data.draw(st.integers(500, 749))
    elif born.year >= 2000:
        individual = data.draw(st.integers(500, 999))
    else:
        individual = data.draw(st.integers(0, 499) | st.integers(900, 999)) if yy >= 40 \
            else data.draw(st.integers(0, 499))
    day = born.day + (40 if kind == "dnr" else 0)
    month = born.month + (40 if kind == "hnr" else 0)
    nine = f"{day:02d}{month:02d}{yy:02d}{individual:03d}"
    checks = fnr_checks(nine)
    assume(checks is not None)  # a remainder of 10 means this individual number is unused
    number = f"{nine}{checks}"
    result = parse(number, "NO")
    assert (result.valid, result.type, result.birth_date, result.gender) == (
        True, kind, born, gender_of(individual % 10))
    position = data.draw(st.sampled_from([9, 10]))
    mutated = number[:position] + other_digit(data, number[position]) + number[position + 1:]
    assert not parse(mutated, "NO").valid


@given(born=dates(date(1800, 1, 1), FAR), nnn=st.integers(1, 999), coordination=st.booleans(),
       data=st.data())
@PROPERTY
def test_property_personnummer(
    born: date, nnn: int, coordination: bool, data: st.DataObject
) -> None:
    day = born.day + (60 if coordination else 0)
    ten = f"{born:%y%m}{day:02d}{nnn:03d}"
    number = f"{born.year // 100}{ten}{luhn_check(ten)}"
    result = parse(number, "SE")
    kind = "samordningsnummer" if coordination else "personnummer"
    assert (result.valid, result.type, result.birth_date, result.gender, result.value) == (
        True, kind, born, gender_of(nnn), number)
    assert not parse(number[:-1] + other_digit(data, number[-1]), "SE").valid


@given(born=dates(date(1826, 1, 1), NOW), nnn=st.integers(1, 999))
@PROPERTY
def test_property_personnummer_ten_digits(born: date, nnn: int) -> None:
    # FOL 18 §: "+" from the year the person turns 100, "-" before.
    ten = f"{born:%y%m%d}{nnn:03d}"
    sign = "+" if NOW.year - born.year >= 100 else "-"
    number = f"{ten[:6]}{sign}{ten[6:]}{luhn_check(ten)}"
    result = parse(number, "SE", NOW)
    assert (result.valid, result.birth_date, result.value) == (
        True, born, f"{born.year // 100}{ten}{luhn_check(ten)}")


@given(born=dates(date(1800, 1, 1), FAR), sss=st.integers(0, 999), male=st.booleans(),
       country=st.sampled_from(["EE", "LT"]), data=st.data())
@PROPERTY
def test_property_baltic(
    born: date, sss: int, male: bool, country: str, data: st.DataObject
) -> None:
    g = 1 + 2 * (born.year // 100 - 18) + (0 if male else 1)
    payload = f"{g}{born:%y%m%d}{sss:03d}"
    number = payload + baltic_check(payload)
    result = parse(number, country)
    assert (result.valid, result.birth_date, result.gender) == (
        True, born, "male" if male else "female")
    assert not parse(number[:-1] + other_digit(data, number[-1]), country).valid


@given(born=dates(date(1800, 1, 1), FAR), serial=st.integers(0, 999), data=st.data())
@PROPERTY
def test_property_latvian_old(born: date, serial: int, data: st.DataObject) -> None:
    century = born.year // 100 - 18
    payload = f"{born:%d%m%y}{century}{serial:03d}"
    weights = (10, 5, 8, 4, 2, 1, 6, 3, 7, 9)
    check = (1 + sum(int(d) * w for d, w in zip(payload, weights, strict=True))) % 11 % 10
    number = f"{payload[:6]}-{payload[6:]}{check}"
    result = parse(number, "LV")
    assert (result.valid, result.birth_date, result.gender, result.value) == (
        True, born, None, f"{payload}{check}")
    assert not parse(number[:-1] + other_digit(data, number[-1]), "LV").valid


@given(born=dates(date(1900, 1, 1), FAR), sss=st.integers(1, 998),
       kind=st.sampled_from(["rijksregisternummer", "bis+20", "bis+40"]), data=st.data())
@PROPERTY
def test_property_belgian(born: date, sss: int, kind: str, data: st.DataObject) -> None:
    month = born.month + {"rijksregisternummer": 0, "bis+20": 20, "bis+40": 40}[kind]
    nine = f"{born:%y}{month:02d}{born:%d}{sss:03d}"
    base = int(("2" if born.year >= 2000 else "") + nine)
    checks = {97 - int(nine) % 97, 97 - int("2" + nine) % 97}
    number = f"{nine}{97 - base % 97:02d}"
    result = parse(number, "BE")
    gender = None if kind == "bis+20" else gender_of(sss)
    assert (result.valid, result.type, result.birth_date, result.gender) == (
        True, kind.split("+")[0], born, gender)
    # Another check number invalidates it, unless it is the other century's (not drawn).
    wrong = data.draw(st.integers(1, 97).filter(lambda cc: cc not in checks))
    assert not parse(f"{nine}{wrong:02d}", "BE").valid


def test_every_problem_is_free_of_digits() -> None:
    start = date(1999, 12, 25)
    for offset in range(40):
        day = start + timedelta(days=offset)
        for raw in (f"{day:%d%m%y}-0000", f"{day:%d%m%y}A0000", f"3{day:%y%m%d}0000"):
            for country in COUNTRIES:
                result = parse_national_id(raw, country, today=NOW)
                if result is not None and not result.valid:
                    assert_no_digits(result.problem)
