"""`eidgate.normalize`: dates of birth, `age_over_18` and `verified_at`.

Birth dates in every shape the eIDs send (ISO, iDIN's YYYYMMDD, the Personalausweis' Java
date strings, partial dates), the age at the time of the login, and the login time itself.
Expected values written by hand from docs/identity.md and the rule cited.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
from normalize_helpers import as_dict, nid, normalized, run, without
from seed_claims import EIDHUB_ID_TOKEN, EIDHUB_JSON_USERINFO, ITSME, NPA

import eidgate


@pytest.mark.parametrize(
    ("java_date", "expected"),
    [
        ("Wed Aug 12 00:00:00 CEST 1964", "1964-08-12"),  # 1964-08-11T22:00Z
        ("Wed Aug 12 00:30:00 CEST 1964", "1964-08-12"),  # 1964-08-11T22:30Z
        ("Tue Aug 11 23:59:59 CEST 1964", "1964-08-11"),  # no shift forward either
        ("Sat Dec 12 00:00:00 CET 1964", "1964-12-12"),  # 1964-12-11T23:00Z
        ("Fri Jan 01 00:30:00 CET 1965", "1965-01-01"),  # 1964-12-31T23:30Z: not the year before
        ("Thu Dec 31 23:30:00 CET 1964", "1964-12-31"),
        ("Wed Aug 12 00:00:00 GMT 1964", "1964-08-12"),
    ],
)
def test_npa_birthdate_is_the_calendar_date_as_written(java_date: str, expected: str) -> None:
    claims = {**NPA, "birthdate": java_date, "npa.date_of_birth": java_date}
    data = as_dict(run(claims, "npa"))
    assert data["date_of_birth"] == expected


# AUTHADA eID data fields (https://authada.de/docs/product-documentation/ident/data-fields-eid/):
# date_of_birth YYYYMMDD, "unknown parts are filled with spaces". German PID reference
# (https://bmi.usercontent.opencode.de/eudi-wallet/developer-guide/rp/PID_Reference):
# "Unknown month or day encoded as 00", e.g. 1983-00-00. ISO 8601 reduced precision: 1964,
# 1964-08. The login below is 2024-06-01 (iat 1717200000).
LOGIN_2024_06_01 = 1717200000


@pytest.mark.parametrize(("value", "over_18"), [
    ("1964    ", True),
    ("196408  ", True),
    ("1983-00-00", True),
    ("19830000", True),
    ("1964", True),
    ("1964-08", True),
    ("2006-00-00", None),  # 18 in 2024, but before or after 1 June is unknown
    ("2006-05-00", True),  # 18 by 31 May 2024 at the latest
    ("2006-06-00", None),  # born 1-30 June 2006: 18 on the login day only if born 1 June
    ("2006-07", False),  # 18 from July 2024 at the earliest
    ("2010    ", False),
])
def test_partial_birth_dates(value: str, over_18: bool | None) -> None:
    claims = {"sub": "x", "npa.date_of_birth": value, "npa.document_type": "ID",
              "iat": LOGIN_2024_06_01}
    data = normalized(claims)
    assert data["method"] == "npa"
    assert data["date_of_birth"] is None  # not a full date
    assert data["age_over_18"] is over_18
    assert data["warnings"] == ["birth date in 'npa.date_of_birth' is incomplete"]


def test_partial_birth_date_in_birthdate_claim() -> None:
    data = normalized({"sub": "x", "birthdate": "1983-00-00", "iat": LOGIN_2024_06_01}, "oidc")
    assert (data["date_of_birth"], data["age_over_18"]) == (None, True)


def test_partial_birth_date_and_valid_number() -> None:
    # The partial claim says no more than the number: the number's full date is used.
    # HETU 070770-905D (the seed's FTN example) is valid: 1970-07-07.
    data = normalized({"sub": "x", "birthdate": "1970-07", "hetu": "070770-905D"}, "ftn")
    assert data["date_of_birth"] == "1970-07-07"


@pytest.mark.parametrize(("value", "expected"), [
    ("17.02.1990", "1990-02-17"),  # German / Nordic written form DD.MM.YYYY
    ("07.07.1970", "1970-07-07"),
    ("31.02.1990", None),  # no such day
    # Java Date.toString() in other zones (the calendar date as written)
    ("Sat Feb 17 00:00:00 EET 1990", "1990-02-17"),
    ("Sat Feb 17 00:00:00 GMT 1990", "1990-02-17"),
    ("Fri Jul 07 00:00:00 CET 1970", "1970-07-07"),
    # epoch numbers: 635212800 s = 1990-02-17T00:00Z
    (635212800, "1990-02-17"),
    (635212800000, "1990-02-17"),  # milliseconds (Java / JavaScript)
    (635209200000, "1990-02-17"),  # 1990-02-16T23:00Z = local midnight CET, in ms
    (635205600000, "1990-02-17"),  # 1990-02-16T22:00Z = local midnight EET
    (635256000, "1990-02-17"),  # 12:00Z (noon, a common way to store a date)
    (635230800000, "1990-02-17"),  # 05:00Z = local midnight in New York (EST)
    # YYYYMMDD sent as a JSON number (iDIN's form without the quotes): as seconds, 19640812
    # would be 1970-08-16; a number that spells no date stays an epoch number
    (19640812, "1964-08-12"),
    (19641332, "1970-08-16"),  # month 13: 19641332 s = 1970-08-16T07:55:32Z
])
def test_birth_date_forms(value: object, expected: str | None) -> None:
    data = normalized({"sub": "x", "birthdate": value}, "oidc")
    assert data["date_of_birth"] == expected


def test_age_over_18_at_login_time_not_today() -> None:
    # 18th birthday 2024-06-02; the login was 2024-06-01: not yet 18, whatever today is.
    data = normalized({"sub": "x", "birthdate": "2006-06-02", "auth_time": LOGIN_2024_06_01},
                      "oidc")
    assert data["age_over_18"] is False
    data = normalized({"sub": "x", "birthdate": "2006-06-01", "auth_time": LOGIN_2024_06_01},
                      "oidc")
    assert data["age_over_18"] is True


def test_auth_time_as_a_string() -> None:
    data = normalized({"sub": "x", "auth_time": "1717200000"}, "oidc")
    assert data["verified_at"] == "2024-06-01T00:00:00+00:00"


def test_age_claim_when_there_is_no_birth_date() -> None:
    # Idura MitID sends `age` (https://docs.idura.app/verify/e-ids/danish-mitid: "age": "93").
    assert normalized({"sub": "x", "age": "93"}, "mitid")["age_over_18"] is True
    assert normalized({"sub": "x", "mitid.age": "17"}, "mitid")["age_over_18"] is False


def test_swedish_ten_digit_number_century_at_login_time() -> None:
    # FOL 18 §: "-" until the year the person turns 100. 121212-1212 (Skatteverket's
    # example; Luhn over 1212121212, doubling every second digit from the right: 2+2+2+2+2
    # +2+2+2+2+2 = 20: valid) read at a login in 2011: born 1912 ("-" in 2011 means born
    # 1912-2011, and 1912 is the only year ending in 12 there). Read "today" (2012 or later)
    # it would be 2012; the login time decides, also when no `today` is passed.
    claims = {"sub": "x", "nin": "121212-1212", "nin_issuing_country": "SE",
              "iat": 1300000000}  # 2011-03-13
    data = normalized(claims, "sbid")
    assert data["national_id"] == nid("191212121212", "SE", "personnummer")
    assert data["date_of_birth"] == "1912-12-12"


def test_today_argument_still_fixes_the_age_without_a_login_time() -> None:
    data = eidgate.normalize({"sub": "x", "birthdate": "2006-06-02"}, "oidc",
                             today=date(2024, 6, 1)).to_dict()
    assert data["age_over_18"] is False



def test_eighteen_or_older_claim_wins() -> None:
    json_false = {**EIDHUB_JSON_USERINFO, "eighteen_or_older": "false"}
    assert as_dict(run(json_false, "idin"))["age_over_18"] is False
    # ... even over a birth date that says adult.
    assert as_dict(run({**ITSME, "eighteen_or_older": "false"}, "itsme"))["age_over_18"] is False


def test_age_over_18_from_birth_date_now() -> None:
    today = dt.datetime.now(dt.UTC).date()
    minor = (today - dt.timedelta(days=17 * 365)).isoformat()  # 17 years minus a few days
    adult = (today - dt.timedelta(days=19 * 365)).isoformat()
    assert as_dict(run({**ITSME, "birthdate": minor}, "itsme"))["age_over_18"] is False
    assert as_dict(run({**ITSME, "birthdate": adult}, "itsme"))["age_over_18"] is True


@pytest.mark.parametrize(
    ("birthdate", "over_18"),
    [
        ("20050601", False),  # 17 on 2023-05-25, although adult today
        ("20050525", True),  # 18th birthday on the login day
        ("20050526", False),  # 18 the day after
    ],
)
def test_age_over_18_is_computed_at_verified_at(birthdate: str, over_18: bool) -> None:
    data = as_dict(run({**EIDHUB_ID_TOKEN, "birthdate": birthdate}, "idin"))
    assert data["verified_at"] == "2023-05-25T12:30:39+00:00"
    assert data["age_over_18"] is over_18


def test_verified_at_falls_back_to_iat() -> None:
    data = as_dict(run(without(EIDHUB_ID_TOKEN, "auth_time"), "idin"))
    assert data["verified_at"] == "2023-05-25T12:30:40+00:00"
