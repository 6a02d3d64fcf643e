"""`eidgate.normalize` on every example identity of the broker's "OIDC response examples".

The claims are seed page 004's examples verbatim (tests/seed_claims.py); page 000's eID Hub
examples are in test_normalize_eidhub_seeds.py.
Every expected value was written by hand from docs/identity.md (the contract) and
docs/eid-facts.md, never copied from what eidgate returns. Each national number
was checked by hand with the algorithms of eid-facts.md (the arithmetic is in the comments
next to the fixtures).

Where the contract leaves a choice, the comment next to the expectation says which reading
was taken (the one a demanding integrator would expect) and why; look for "READING:".
"""

from __future__ import annotations

from typing import Any

import pytest
from normalize_helpers import Seed, address, check_seed, nid
from seed_claims import (
    FTN,
    IDIN,
    ITSME,
    MITID,
    MOBIILIVARMENNE,
    NBID,
    NBID_MOBILE,
    NEMID,
    NPA,
    SBID,
    SMARTID,
    YES,
    YES_VERIFIED,
)

# Both Yes examples give the same person: the verified claims of the second agree with the
# plain claims of the first.
YES_PETER: dict[str, Any] = {
    "subject": "Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq",
    "issuer": None,  # `yes.idtoken_iss` is the bank's, not this token's `iss`
    "provider": None,
    "method": "yes",
    "first_name": "Peter",
    "last_name": "Gottschalk",
    "full_name": "Peter Gottschalk",
    "initials": "P",
    "date_of_birth": "1996-08-30",
    "gender": "male",
    "national_id": None,
    "email": "peter@platform.yes.com",
    "email_verified": True,
    "phone": "+12025550143",
    "phone_verified": True,
    "address": address(
        street="Heiligengeistbrücke 13",
        postal_code="91620",
        city="Ohrenbach",
        region="Freistaat Bayern",
        country="DE",
        formatted="Heiligengeistbrücke 13\nOhrenbach\nFreistaat Bayern\n91620\nDE",
    ),
    "nationality": "DE",  # yes.nationality; yes.verified.nationality
    # The acr inside the nested `yes.idtoken_jwt` is not a claim of this login: default.
    "loa": "substantial",
    "age_over_18": True,
    "pseudonym": None,
    "verified_at": None,  # nor is that nested token's iat
}


SEEDS = [
    # FTN, OP bank. HETU 070770-905D: DDMMYY 070770, sign "-" (1900s) -> 1970-07-07, equal to
    # `birthdate`. Individual number 905 (odd -> male). Check: 070770905 mod 31 = 13
    # (31 * 2282932 = 70770892, 70770905 - 70770892 = 13); "0123456789ABCDEFHJKLMNPRSTUVWXY"[13]
    # = "D" = the check character: VALID.
    # READING: 905 lies in 900-999, which eid-facts.md calls "temporary". The contract's checks
    # are format, date and check character, and names no exclusion of temporary numbers (which
    # are issued to real people and used by the Finnish test eIDs), so the number is valid: no
    # warning, and gender "male" is derived from it (FTN sends no gender claim).
    Seed(
        "ftn",
        FTN,
        "ftn",
        {
            "subject": "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf",
            "issuer": None,
            "provider": None,
            "method": "ftn",
            "first_name": "Väinö",
            "last_name": "Tunnistus",
            "full_name": "Väinö Tunnistus",
            "initials": "V",  # initials come from the given names only
            "date_of_birth": "1970-07-07",
            "gender": "male",
            "national_id": nid("070770-905D", "FI", "hetu"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,  # a HETU is not a citizenship; `locale` is a language
            "loa": "substantial",  # FTN default
            "age_over_18": True,
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=False,
    ),
    # iDIN through the legacy platform. No national number; `consumer.bin` is the BIN.
    Seed(
        "idin",
        IDIN,
        "idin",
        {
            "subject": "Hz0fqvmPC0jlBR_hJc2oaJPageele_hJ",
            "issuer": None,
            "provider": None,
            "method": "idin",
            "first_name": None,  # iDIN only gives initials
            # Legal last name without prefix; the preferred name "Stegenga-Ruysch" is not it.
            "last_name": "Stegenga",
            "full_name": "C Stegenga",  # no first name -> the provider's `name`
            "initials": "C",
            "date_of_birth": "1970-02-17",  # "19700217"
            "gender": "female",  # "2"
            "national_id": None,
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            # READING: two sources agree on postal code, city and country; the street comes from
            # consumer.street + consumer.houseno, joined Dutch-style ("Zeijerveenweg 92": an OIDC
            # street_address includes the house number). Nothing is sent as a formatted address
            # and none is invented.
            "address": address(
                street="Zeijerveenweg 92", postal_code="8681LW", city="Utrecht", country="NL"
            ),
            "nationality": None,
            "loa": "substantial",  # iDIN default
            "age_over_18": True,
            "pseudonym": (
                "NLTRIO370f0cb71dfde80e31b23cc34a3088b5a09fee9cec20e746c2030780a4704115"
            ),
            "verified_at": None,
        },
        warnings=False,
    ),
    # itsme: no national number; email_verified is the string "false"; address a plain string.
    Seed(
        "itsme",
        ITSME,
        "itsme",
        {
            "subject": "TXuEna3XLCQXRjcLjaZ1aUptqitw50Ny",
            "issuer": None,
            "provider": None,
            "method": "itsme",
            "first_name": "Debora",
            "last_name": "Test",
            "full_name": "Debora Test",
            "initials": "D",
            "date_of_birth": "1974-04-12",
            "gender": "male",  # as sent, whatever the first name suggests
            "national_id": None,
            "email": "test@signicat.be",
            "email_verified": False,  # "false"
            "phone": None,
            "phone_verified": False,
            "address": address(formatted="place Sainte Gudule"),
            "nationality": None,
            "loa": "high",  # itsme default
            "age_over_18": True,
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=False,
        # READING: not one of these claims is specific to itsme (they are plain OIDC claims),
        # so "auto" cannot know the eID and must fall back to the generic profile, whose LoA
        # is None. Guessing itsme would hand an unknown OIDC login itsme's default LoA "high".
        auto={"method": "oidc", "loa": None},
    ),
    # MitID. CPR 1702901234: 170290, digit 7 is "1" (0-3 -> 1900s) -> 1990-02-17, equal to
    # `birthdate`; last digit 4 even -> female. Mod-11 (4,3,2,7,6,5,4,3,2,1) gives 113 mod 11
    # = 3, i.e. it fails mod-11, but mod-11 is not required since 2007: VALID.
    Seed(
        "mitid",
        MITID,
        "mitid",
        {
            "subject": "aob2hJFd1CBD1OKB9Kq7MyGEl-j1qhIY",
            "issuer": None,
            "provider": None,
            "method": "mitid",
            "first_name": "Abelone",
            "last_name": "Christensen",
            "full_name": "Abelone Christensen",
            "initials": "A",
            "date_of_birth": "1990-02-17",
            "gender": "female",  # from the valid CPR (no gender claim)
            "national_id": nid("1702901234", "DK", "cpr"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "low",  # "mitid.loa": "LOW"
            # `mitid.age` "22" is not `eighteen_or_older`; from date_of_birth (now: 36).
            "age_over_18": True,
            "pseudonym": "121f8c3b-9084-4d6a-b058-65a399810f14",  # mitid.uuid
            "verified_at": None,
        },
        warnings=False,
    ),
    # Mobiilivarmenne. HETU 170290-012X: 170290012 mod 31 = 6 (31 * 5493226 = 170290006),
    # check character should be "6", not "X": INVALID. Kept as sent, not used, warned about.
    # Birth date and gender come from their own claims.
    Seed(
        "mobiilivarmenne",
        MOBIILIVARMENNE,
        "mobiilivarmenne",
        {
            "subject": "t8SsCF9-gu6EhjjkqJMGlN0fR54hsaiB",
            "issuer": None,
            "provider": None,
            # READING: "auto" must tell it from bank FTN: `ftn.satu` (a certificate-based
            # FTN method) with a phone number and no `ftn.idpId` is Mobiilivarmenne, the
            # method the seed calls it. Both default to LoA substantial.
            "method": "mobiilivarmenne",
            "first_name": "John",
            "last_name": "Signicat",
            "full_name": "John Signicat",
            "initials": "J",
            "date_of_birth": "1990-02-17",
            "gender": "male",  # "M"
            "national_id": nid("170290-012X", "FI", "hetu"),
            "email": None,
            "email_verified": False,
            "phone": "+358123456789",
            "phone_verified": True,  # "true"
            "address": None,
            "nationality": None,
            "loa": "substantial",  # Mobiilivarmenne default
            "age_over_18": True,
            # READING: `ftn.satu` (the population register's electronic id) is not in the
            # contract's list of pseudonyms, so it is not one.
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=True,
    ),
    # NemID. Same CPR as MitID, VALID (see above): no birthdate claim, so date_of_birth
    # 1990-02-17 and gender female are decoded from it (test data: "John" with an even CPR).
    Seed(
        "nemid",
        NEMID,
        "nemid",
        {
            "subject": "3ImeWNXgbORX6XpuFetvHaSNOxHQP46d",
            "issuer": None,
            "provider": None,
            "method": "nemid",
            "first_name": "John",
            "last_name": "Signicat",
            "full_name": "John Signicat",
            "initials": "J",
            "date_of_birth": "1990-02-17",
            "gender": "female",
            "national_id": nid("1702901234", "DK", "cpr"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "substantial",  # NemID default
            "age_over_18": True,
            "pseudonym": "9208-2002-2-075164137924",  # PID (certificate unique id)
            "verified_at": None,
        },
        warnings=False,
    ),
    # Norwegian BankID. "1702901234" has 10 digits; a fødselsnummer has 11: INVALID. Kept as
    # sent, not used (no gender claim -> None), warned about; birthdate from its claim.
    # READING: `type` of an invalid Norwegian number: day 17 and month 02 carry no D-/H-number
    # offset, so it is read as "fnr".
    Seed(
        "nbid",
        NBID,
        "nbid",
        {
            "subject": "6ofVBM_uxebykmPnAYo3ORHGGYhFXRae",
            "issuer": None,
            "provider": None,
            "method": "nbid",
            "first_name": "Anders Test",
            "last_name": "Karpedamsvik",
            "full_name": "Anders Test Karpedamsvik",  # never "Last, First"
            "initials": "AT",
            "date_of_birth": "1990-02-17",
            "gender": None,
            "national_id": nid("1702901234", "NO", "fnr"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "high",  # Norwegian BankID default
            "age_over_18": True,
            "pseudonym": "9578-6000-4-361384",  # PID (certificate unique id)
            "verified_at": None,
        },
        warnings=True,
    ),
    # Norwegian BankID on mobile: same invalid 10-digit number as above.
    Seed(
        "nbid-mobile",
        NBID_MOBILE,
        "nbid",
        {
            "subject": "6ofVBM_uxebykmPnAYo3ORHGGYhFXRae",
            "issuer": None,
            "provider": None,
            "method": "nbid",
            "first_name": "Daga",
            "last_name": "Krook",
            "full_name": "Daga Krook",
            "initials": "D",
            "date_of_birth": "1990-02-17",
            "gender": None,
            "national_id": nid("1702901234", "NO", "fnr"),
            "email": None,
            "email_verified": False,
            "phone": "+4712345678",
            "phone_verified": True,
            "address": None,
            "nationality": None,
            # READING: the contract has one Norwegian BankID default, "high"; eid-facts.md
            # lowers only the biometric app to substantial, and BankID on mobile (SIM) is not it.
            "loa": "high",
            "age_over_18": True,
            "pseudonym": "9578-6000-4-361384",
            "verified_at": None,
        },
        warnings=True,
    ),
    # Personalausweis. No national number: `signicat.national_id` is a pseudonym.
    Seed(
        "npa",
        NPA,
        "npa",
        {
            "subject": "3y2LkVrH8PhJKS94XvkD8Or8Ccj_f-Um",
            "issuer": None,
            "provider": None,
            "method": "npa",
            "first_name": "Erika",
            "last_name": "Mustermann",
            "full_name": "Erika Mustermann",
            "initials": "E",
            # "Wed Aug 12 00:00:00 CEST 1964": the calendar date as written (it is 1964-08-11
            # 22:00 in UTC, which must NOT be used).
            "date_of_birth": "1964-08-12",
            "gender": None,
            "national_id": None,
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            # "D:null:51147:KÖLN:HEIDESTRASSE 17" = country:state:postcode:city:street.
            # READING: the contract puts NAMES in name case; an address is not a name, so city
            # and street are kept as written ("KÖLN", not "Köln"). No formatted address is sent.
            "address": address(
                street="HEIDESTRASSE 17", postal_code="51147", city="KÖLN", country="DE"
            ),
            "nationality": "DE",  # document type "ID" is only issued to Germans
            "loa": "high",  # Personalausweis default
            "age_over_18": True,
            "pseudonym": "6A11052B71F808C8686D837C0BC1EAEE570227A439B45D0041C6CD40042ABB82",
            "verified_at": None,
        },
        warnings=False,
    ),
    # Smart-ID. "10102170005" (locale "ee"): G=1, YYMMDD 010217. Check: weights 1..9,1 over
    # 1,0,1,0,2,1,7,0,0,0 = 1+3+10+6+49 = 69; 69 mod 11 = 3 != 5: INVALID (the same rule holds
    # for Lithuania). Kept as sent, not used, warned about. This seed, unlike eid-facts.md's
    # general remark, does carry `birthdate`, so date_of_birth comes from that claim.
    # READING: an unwrapped code's country comes from `locale` "ee" (Estonia; the only other
    # hint would be a PNOEE-/PNOLT- wrapper): country "EE", type "isikukood".
    Seed(
        "smartid",
        SMARTID,
        "smartid",
        {
            "subject": "o3EfcxuN_0g6k_9rrlkGOHGJXX2c_t45",
            "issuer": None,
            "provider": None,
            "method": "smartid",
            "first_name": "Demo",
            # READING: name case capitalises each hyphen-separated part ("JEAN-PIERRE" ->
            # "Jean-Pierre"); it cannot know that "ID" was an acronym: "Smart-Id".
            "last_name": "Smart-Id",
            "full_name": "Demo Smart-Id",
            "initials": "D",
            "date_of_birth": "1990-02-17",
            "gender": None,
            "national_id": nid("10102170005", "EE", "isikukood"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "substantial",  # Smart-ID default
            "age_over_18": True,
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=True,
    ),
    # Swedish BankID. "199002171234": Luhn over 9002171234 (from the right, doubling every
    # second digit): 4 + 6 + 2 + 2 + 7 + 2 + 2 + 0 + 0 + 9 = 34, not a multiple of 10:
    # INVALID (the check digit would be 0). No birthdate claim either, so date_of_birth and
    # gender are None, and age_over_18 is unknown.
    Seed(
        "sbid",
        SBID,
        "sbid",
        {
            "subject": "DzOcNRYQIaa38nL6s7tfjxK6Ib8g63JH",
            "issuer": None,
            "provider": None,
            "method": "sbid",
            "first_name": "Daga",
            "last_name": "Krok",
            "full_name": "Daga Krok",
            "initials": "D",
            "date_of_birth": None,
            "gender": None,
            "national_id": nid("199002171234", "SE", "personnummer"),
            "email": None,
            "email_verified": False,
            "phone": None,
            "phone_verified": False,
            "address": None,
            "nationality": None,
            "loa": "substantial",  # Swedish BankID default
            "age_over_18": None,
            "pseudonym": None,
            "verified_at": None,
        },
        warnings=True,
    ),
    # Yes. `name` is "Gottschalk, Peter"; full_name is never "Last, First".
    Seed("yes", YES, "yes", YES_PETER, warnings=False),
    # Yes with identity-document-verified claims (here they agree with the unverified ones).
    Seed("yes-verified", YES_VERIFIED, "yes", YES_PETER, warnings=False),
]


SEED_NATIONAL_NUMBER = {
    "ftn": "070770-905D",
    "mitid": "1702901234",
    "mobiilivarmenne": "170290-012X",
    "nemid": "1702901234",
    "nbid": "1702901234",
    "nbid-mobile": "1702901234",
    "smartid": "10102170005",
    "sbid": "199002171234",
}


@pytest.mark.parametrize("profile", ["auto", "explicit"])
@pytest.mark.parametrize("seed", SEEDS, ids=[s.id for s in SEEDS])
def test_seed_identity(seed: Seed, profile: str) -> None:
    check_seed(seed, profile, SEED_NATIONAL_NUMBER.get(seed.id))
