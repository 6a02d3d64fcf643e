"""Real, published claim examples beyond the two seed documents, for the normalisation tests.

Every claim set below is copied from a broker's public documentation (the URL is next to
it): Signicat eID Hub attribute references and code examples, Signicat Express, and Idura
(formerly Criipto) Verify's "JWT payloads per eID type" and per-eID pages. Where a page shows
broken JSON (trailing commas, a missing comma or brace) only the punctuation was repaired;
names and values are as published, including the publishers' own mistakes (swapped names,
"1990-17-02", check digits that fail). Each national number was checked by hand with the
algorithms of docs/eid-facts.md; the arithmetic is at the end of this module.

What the contract determines for each: test_normalize_signicat_examples.py,
test_normalize_idura_examples.py, test_normalize_broker_claims.py.
"""

from __future__ import annotations

from typing import Any

Claims = dict[str, Any]


# =============================================================================================
# Signicat eID Hub (current platform: `nin`, `nin_type`, `nin_issuing_country`, `idp_id`, ...)
# =============================================================================================

# https://developer.signicat.com/identity-methods/nbid/code-examples.html
# ("OIDC response example", UserInfo). The publisher swapped the names: given_name "Nordmann",
# family_name "Kari" (the certificate subject says "CN=Nordmann\\,Kari"). normalize() cannot
# know that; it must take the claims as sent.
EIDHUB_NBID_CODE_EXAMPLE: Claims = {
    "family_name": "Kari",
    "given_name": "Nordmann",
    "birthdate": "1990-02-17",
    "nin": "17029012345",
    "nin_type": "BIRTH",
    "nin_issuing_country": "NO",
    "nbid_tid": "1ebe3243-ec47-42fe-9f3b-8f323e1e0d53",
    "nbid_auth_time": "1655728553",
    "nbid_alternative_subject": "9578-6000-4-877",
    "nbid_originator": (
        "CN=BankID - TestBank1 - Bank CA 3,OU=123456789,O=TestBank1 AS,C=NO;OrginatorId=9980;"
        "OriginatorName=BINAS;OriginatorId=9980"
    ),
    "nbid_updated_at": 1606394130000,
    "nbid_additional_cert_info": (
        '{"certValidFrom":1606394130000,"serialNumber":"1407572","keyAlgorithm":"RSA",'
        '"keySize":"2048","policyOid":"2.16.578.1.16.1.12.1.1","monetaryLimitAmount":"100000",'
        '"certQualified":true,"monetaryLimitCurrency":"NOK","certValidTo":1669466130000,'
        '"versionNumber":"3","subjectName":"CN=Nordmann\\\\,Kari,O=TestBank1 AS,C=NO,'
        'SERIALNUMBER=9578-6000-4-877"}'
    ),
    "nbid_subject_uuid": "e6418f52-b90d-49ea-a448-a73d39f24ec7",
    "nbid_idp": "BID",
    "sub": "6NZrmEFWVaQij7tQgDSlsG6H6nBpVbZneQKZMrkJbls=",
}

# https://developer.signicat.com/identity-methods/nbid/attributes-reference/
# ("OIDC response example"; the version with nbid_acr / nbid_amr / nbid_sid).
EIDHUB_NBID_ATTRIBUTES: Claims = {
    "family_name": "Kari",
    "given_name": "Nordmann",
    "birthdate": "1990-02-17",
    "nin": "17029012345",
    "nin_type": "BIRTH",
    "nin_issuing_country": "NO",
    "nbid_sid": "d36d3efd-b973-4cbb-9856-f0901b182593",
    "nbid_acr": "urn:bankid:bid;LOA=4",
    "nbid_amr": "bid, bid-mfa, bid-otp, bid-pwd",
    "nbid_auth_time": "1709206572",
    "nbid_alternative_subject": "9578-6000-4-877",
    "nbid_originator": (
        "CN=BankID - TestBank1 - Bank CA 3,OU=123456789,O=TestBank1 AS,C=NO;OrginatorId=9980;"
        "OriginatorName=BINAS;OriginatorId=9980"
    ),
    "nbid_updated_at": "1708682096000",
    "nbid_subject_uuid": "e6418f52-b90d-49ea-a448-a73d39f24ec7",
    "nbid_idp": "BID",
    "sub": "6NZrmEFWVaQij7tQgDSlsG6H6nBpVbZneQKZMrkJbls=",
}

# https://developer.signicat.com/identity-methods/mitid/attributes-reference/
# "MitID Basic (OIDC)" response examples (user-information section only).
EIDHUB_MITID_CPR_MATCH: Claims = {  # Scope: openid profile nin
    "idp_id": "8cb1e51c-13aa-4044-b9ac-8978cf1f113c",
    "name": "Abelone Christensen",
    "family_name": "Christensen",
    "given_name": "Abelone",
    "birthdate": "1974-07-11",
    "nin": "1107744882",
    "nin_type": "PERSON",
    "nin_issuing_country": "DK",
}

EIDHUB_MITID_CPR_MATCH_EXTRA: Claims = {  # Scope: openid profile nin mitid-extra
    "idp_id": "8cb1e51c-13aa-4044-b9ac-8978cf1f113c",
    "name": "Abelone Christensen",
    "family_name": "Christensen",
    "given_name": "Abelone",
    "birthdate": "1974-07-11",
    "nin": "1107744882",
    "nin_type": "PERSON",
    "nin_issuing_country": "DK",
    "mitid_has_cpr": True,
    "mitid_transaction_id": "40c6c751-d16b-45f2-a596-b28e1c2031a9",
    "mitid_reference_text_body": " ",
    "mitid_name_and_address_protection": True,
    "mitid_ial": "HIGH",
    "mitid_loa": "HIGH",
    "mitid_aal": "HIGH",
    "mitid_fal": "HIGH",
    "mitid_uuid": "8cb1e51c-13aa-4044-b9ac-8978cf1f113c",
}

# Same page, older revision: "CPR Match and mitid-extra scope and address protection" (no name
# claims at all: with name and address protection "the common-name/name will be empty").
EIDHUB_MITID_PROTECTED: Claims = {
    "idp_id": "8cb1e51c-13aa-4044-b9ac-8978cf1f113c",
    "birthdate": "1974-07-11",
    "nin": "1107744882",
    "nin_type": "PERSON",
    "nin_issuing_country": "DK",
    "mitid_has_cpr": "true",
    "mitid_transaction_id": "40c6c751-d16b-45f2-a596-b28e1c2031a9",
    "mitid_reference_text_body": " ",
    "mitid_name_and_address_protection": "true",
    "mitid_ial": "HIGH",
    "mitid_loa": "HIGH",
    "mitid_aal": "HIGH",
    "mitid_fal": "HIGH",
    "mitid_uuid": "8cb1e51c-13aa-4044-b9ac-8978cf1f113c",
}

EIDHUB_MITID_BASIC: Claims = {  # Scope: openid profile
    "idp_id": "8cb1e51c-13aa-4044-b9ac-8978cf1f113c",
    "name": "Abelone Christensen",
    "family_name": "Christensen",
    "given_name": "Abelone",
    "birthdate": "1974-07-11",
}

# https://developer.signicat.com/identity-methods/ftn/attributes-reference/
# Scope: openid profile nin ftn-extra. For FTN the eID Hub's idp_id is the HETU itself.
EIDHUB_FTN: Claims = {
    "idp_id": "070770-905D",
    "name": "Väinö Tunnistus",
    "family_name": "Tunnistus",
    "given_name": "Väinö",
    "birthdate": "1970-07-07",
    "nin": "070770-905D",
    "nin_type": "PERSON",
    "nin_issuing_country": "FI",
    "ftn_idp": "fi-op",
    "ftn_hetu": "070770-905D",
}

# https://developer.signicat.com/identity-methods/sbid/code-examples.html
# "JWT id_token decoded example" (payload) and "UserInfo response example" (openid profile
# nin). The UserInfo `sub` is cut off in the published page ("KuJm0Zfr6..."); it is left out
# and the two are merged the way the login flow does (ID token, then userinfo on top).
EIDHUB_SBID_ID_TOKEN: Claims = {
    "nbf": 1657278414,
    "exp": 1657279014,
    "iss": "https://testdomain.sandbox.signicat.dev/auth/open",
    "aud": "dev-silly-carriage-435",
    "iat": 1657278414,
    "at_hash": "AmHqoGoXr1tWVZlbjrR6aQ",
    "sid": "1670A333DEA5FAE66072ECDAC88AE4C6",
    "sub": "0I3nYK5-NdoLqN1ps8tIWk7WRLOL-BEoU3erWBK28e4=",
    "auth_time": 1657278399,
    "idp": "sbid",
    "family_name": "Svensson",
    "given_name": "Sven",
    "birthdate": "1990-02-17",
    "amr": ["external"],
}
EIDHUB_SBID_USERINFO_WITHOUT_SUB: Claims = {
    "family_name": "Svensson",
    "given_name": "Sven",
    "birthdate": "1990-02-17",
    "nin": "199002171234",
    "nin_type": "PERSON",
    "nin_issuing_country": "SE",
}
EIDHUB_SBID_MERGED: Claims = {**EIDHUB_SBID_ID_TOKEN, **EIDHUB_SBID_USERINFO_WITHOUT_SUB}

# https://developer.signicat.com/identity-methods/smart-id/attribute-reference.html
# (older revision, no birthdate) and .../smart-id/attribute-reference/ (current revision, with
# the published, impossible birthdate "1990-17-02").
EIDHUB_SMARTID: Claims = {
    "idp": "sk-smartid",
    "idp_id": "49002171234",
    "name": "LAURA JANSONS",
    "family_name": "JANSONS",
    "given_name": "LAURA",
    "nin": "49002171234",
    "nin_type": "CIVIL",
    "nin_issuing_country": "EE",
}
EIDHUB_SMARTID_WITH_BIRTHDATE: Claims = {
    "idp": "sk-smartid",
    "idp_id": "49002171234",
    "name": "LAURA JANSONS",
    "family_name": "JANSONS",
    "given_name": "LAURA",
    "birthdate": "1990-17-02",
    "nin": "49002171234",
    "nin_type": "CIVIL",
    "nin_issuing_country": "EE",
}

# https://developer.signicat.com/identity-methods/mobiilid/attribute-reference/
# Estonian Mobiil-ID, not one of the contract's methods: generic OIDC. Same person as above.
EIDHUB_MOBIILID: Claims = {
    "idp": "sk-mobileid",
    "idp_id": "49002171234",
    "name": "LAURA JANSONS",
    "family_name": "JANSONS",
    "given_name": "LAURA",
    "birthdate": "1990-17-02",
    "nin": "49002171234",
    "nin_type": "CIVIL",
    "nin_issuing_country": "EE",
}

# https://developer.signicat.com/identity-methods/id-porten/attributes-reference/
# ID-porten (Norway), not one of the contract's methods: generic OIDC, with a stated `acr`.
# Its idp_id is the fødselsnummer itself.
EIDHUB_IDPORTEN: Claims = {
    "at_hash": "2IwNPkKqZDXmst5YsTMhOA",
    "sid": "EC744F53F8047F39609E585581630DA1",
    "sub": "fUtzzasbgfm2jtIW-Tr5FJ9lKpr7hS2sVGj85bbDx7A=",
    "auth_time": 1766406066,
    "idp": "idporten",
    "idp_id": "17029012345",
    "name": "Kari Nordmann",
    "family_name": "Nordmann",
    "given_name": "Kari",
    "nin": "17029012345",
    "nin_type": "BIRTH",
    "nin_issuing_country": "NO",
    "idporten_sub": "Od7HqOBMlcMJn0Hr...",
    "idporten_loa": "idporten-loa-high",
    "idporten_idp": "BankID",
    "idp_issuer": "https://test.idporten.no",
    "transaction_id": "71174700-2d22-cd49-a786-adc6559d2a3f",
    "sandbox": True,
    "acr": "high",
}

# https://developer.signicat.com/identity-methods/idin/attributes-reference/idin-attributes-oidc/
# "Response example for the UserInfo endpoint", Scopes: openid (iDIN login, no user data).
EIDHUB_IDIN_LOGIN: Claims = {
    "sub": "VsQFCIOdsM-brFXDGQhMyMfnlkQyeb8pNfkxq6VFppY=",
    "idp_issuer": "idin",
}

# =============================================================================================
# Signicat Express (dotted claim names like the legacy Enterprise platform)
# =============================================================================================

# https://developer.signicat.com/express/identity-methods/mitid/integration.html
# ("OIDC response"; the published JSON lacks the comma after "signicat.nationality"). The page
# describes signicat.nationality as "the nationality of the national ID (always DK)": the
# country of the number, not the person's citizenship.
EXPRESS_MITID: Claims = {
    "sub": "79379634-251c-4f3e-a47d-526235822b91",
    "mitid.uuid": "79379634-251c-4f3e-a47d-526235822b91",
    "name": "Stig Hansen",
    "given_name": "Stig",
    "family_name": "Hansen",
    "birthdate": "1929-11-09",
    "mitid.age": 90,
    "mitid.address": "Strandvejen 64 3 TH",
    "mitid.identityname": "Stig7111",
    "signicat.national_id": "0911291673",
    "signicat.nationality": "DK",
    "mitid.cpr": "0911291673",
    "mitid.fal": "HIGH",
    "mitid.ial": "SUBSTANTIAL",
    "mitid.aal": "LOW",
    "mitid.loa": "LOW",
}

# =============================================================================================
# Idura (formerly Criipto) Verify: `identityscheme`, `ssn`, `socialno`, `cprNumberIdentifier`,
# `hetu`, `uniqueuserid`, `uuid`, `pidNumberIdentifier`, `country`, ...
# The examples show "only the user-specific fields" of the ID token.
# =============================================================================================

# https://docs.idura.app/verify/reference/token-contents (Sweden, BankID)
IDURA_SEBANKID: Claims = {
    "identityscheme": "sebankid",
    "nameidentifier": "1373c272b61a4cb588b29c44883fe62f",
    "sub": "{1373c272-b61a-4cb5-88b2-9c44883fe62f}",
    "ssn": "196802020575",
    "name": "Terne Paulsen",
    "given_name": "Terne",
    "family_name": "Paulsen",
    "ipaddress": "77.241.128.160",
    "country": "SE",
}

# https://docs.idura.app/eid-specifics/order-no-bankid (Kodebrikke authenticators, LoA High)
IDURA_NOBANKID: Claims = {
    "identityscheme": "nobankid-oidc",
    "nameidentifier": "ee9b1bb905a6458e9f3b9d068f1a3765",
    "sub": "{ee9b1bb9-05a6-458e-9f3b-9d068f1a3765}",
    "uniqueuserid": "9578-6000-4-351726",
    "certissuer": (
        "CN=BankID - TestBank1 - Bank CA 3,OU=123456789,O=TestBank1 AS,C=NO;OrginatorId=9980;"
        "OriginatorName=BINAS;OriginatorId=9980"
    ),
    "certsubject": "CN=Larsen\\, Mikkel,O=TestBank1 AS,C=NO,SERIALNUMBER=9578-6000-4-351726",
    "birthdate": "1946-03-27",
    "socialno": "27034698436",
    "family_name": "Larsen",
    "given_name": "Mikkel",
    "name": "Mikkel Larsen",
    "country": "NO",
}

# https://docs.idura.app/verify/e-ids/danish-mitid ("MitID for citizens")
IDURA_MITID: Claims = {
    "identityscheme": "dkmitid",
    "nameidentifier": "0f9960a0d28d4353a3e2ea07f8ffa185",
    "sub": "{0f9960a0-d28d-4353-a3e2-ea07f8ffa185}",
    "uuid": "74ffcd31-fbaf-4c33-bdac-169f25c1e416",
    "cprNumberIdentifier": "2101270087",
    "birthdate": "1927-01-21",
    "age": "93",
    "name": "Ditlev Von Testesen",
    "country": "DK",
}

# https://docs.criipto.com/verify/e-ids/danish-mitid/ ("MitID for citizens (with address
# lookup)"; the published JSON misses two closing braces and a comma: restored).
IDURA_MITID_ADDRESS: Claims = {
    "identityscheme": "dkmitid",
    "sub": "{3687039b-97c3-4c67-aeb6-4da85f7e5818}",
    "address": {
        "formatted": (
            "Paiman Petersen\nGrusgraven 1,3 tv\n3400 Hillerød\n(Lokalitet ukendt)\nDanmark"
        ),
        "common_name": "Paiman Petersen",
        "street_address": "Grusgraven 1,3 tv",
        "postal_code": "3400",
        "city": "Hillerød",
        "locality": "(Lokalitet ukendt)",
        "region": None,
        "country": "Danmark",
    },
    "address_details": {
        "road": "Grusgraven",
        "road_code": "1732",
        "municipality": "Lyngby-Taarbæk",
        "municipality_code": "0173",
        "house_number": "001",
        "floor": "03",
        "apartment_code": " tv",
    },
    "uuid": "8e6ab4ea-58b9-4130-a900-4366ba54eed9",
    "cprNumberIdentifier": "2712589100",
    "birthdate": "1958-12-27",
    "age": "63",
    "name": "Paiman Petersen",
    "country": "DK",
}

# https://docs.criipto.com/verify/e-ids/danish-nemid/ ("NemID for citizens (POCES)")
IDURA_NEMID: Claims = {
    "identityscheme": "dknemid",
    "nameidentifier": "fc9b7dedfe674fdda97d8dc9079c6403",
    "sub": "{fc9b7ded-fe67-4fdd-a97d-8dc9079c6403}",
    "pidNumberIdentifier": "9208-2002-2-294247448400",
    "isYouthCert": "false",
    "companySignatory": "false",
    "cprNumberIdentifier": "0707490071",
    "name": "Terne Paulsen",
    "country": "DK",
    "2.5.4.5.1": "PID:9208-2002-2-294247448400",
    "2.5.4.5": "5CE82384",
    "2.5.29.29": "CN=TRUST2408 Systemtest XXXIV CA, O=TRUST2408, C=DK",
}

# https://docs.criipto.com/eid-specifics/order-fi-bankid/ (Finnish Trust Network, "BankID";
# same content at https://docs.idura.app/verify/e-ids/finnish-trust-network). Idura's FTN
# `name` is a hash ("Display name (when available for the user), or sub value received from
# FTN provider").
IDURA_FTN: Claims = {
    "identityscheme": "fitupas",
    "nameidentifier": "788eb5abb2f84c0994a4d359f416f7ca",
    "sub": "{788eb5ab-b2f8-4c09-94a4-d359f416f7ca}",
    "name": "_19cfbd642c4a82b08613b841caf0e153c5956c14",
    "country": "FI",
    "given_name": "Väinö",
    "family_name": "Tunnistus",
    "birthdate": "1970-07-07",
    "satu": "",
    "hetu": "070770-905D",
}

# https://docs.idura.app/verify/e-ids/german-personalausweis (LoA High for all logins)
IDURA_NPA: Claims = {
    "identityscheme": "deadesso",
    "authenticationtype": "urn:grn:authn:de:personalausweis",
    "authenticationmethod": "urn:grn:authn:de:personalausweis",
    "nameidentifier": "869d0e76687e4bae97b44c55bb0242db",
    "sub": "{869d0e76-687e-4bae-97b4-4c55bb0242db}",
    "given_name": "ERIKA",
    "family_name": "MUSTERMANN",
    "birthdate": "1964-08-12",
    "address": {
        "street_address": "HEIDESTRAẞE 17",
        "country": "D",
        "locality": "KÖLN",
        "postal_code": "51147",
        "region": "",
    },
    "residence_permit_i": "RESIDENCE PERMIT 1",
    "issuing_state": "D",
    "document_type": "ID",
    "nationality": "D",
    "date_of_expiry": "2029-10-31",
    "birth_name": "GABLER",
    "place_of_birth": "BERLIN",
}

# https://docs.criipto.com/verify/e-ids/dutch-idin ("Full identification", scope
# idin:full-id; trailing commas of the published JSON removed). LoA Substantial.
IDURA_IDIN: Claims = {
    "iss": "https://localhost:44362",
    "aud": "https://localhost:44301/",
    "identityscheme": "nlidin",
    "authenticationtype": "urn:grn:authn:nl:idin",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod": (
        "urn:grn:authn:nl:idin"
    ),
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationinstant": (
        "2023-10-11T19:32:59.952Z"
    ),
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": (
        "7d704c6d4d1245a0ba8d135d18f9d518"
    ),
    "sub": "{7d704c6d-4d12-45a0-ba8d-135d18f9d518}",
    "http://schemas.grean.id/claims/sessionindex": "16494935-5ffc-4ae6-a683-6587a27b35c4",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/country": "NL",
    "email": "info@equensworldline.nl",
    "phone_number": "+31203051900",
    "http://schemas.grean.id/claims/gender": "MALE",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": "Vries",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/dateofbirth": "1975-07-25",
    "birthdate": "1975-07-25",
    "verified_claims": {
        "bin": "FANTASYBANK1234567890",
        "legallastname": "Vries",
        "preferredlastname": "Vries-Jansen",
        "partnerlastname": "Jansen",
        "legallastnameprefix": "de",
        "preferredlastnameprefix": "de",
        "partnerlastnameprefix": "de",
        "dateofbirth": "1975-07-25",
        "street": "Pascalstreet",
        "phone1": "+31203051900",
    },
}


# =============================================================================================
# National numbers, checked by hand (eid-facts.md, "National identity numbers")
# =============================================================================================
# NO 17029012345 (eID Hub NBID, ID-porten): K1 weights 3,7,6,1,8,9,4,5,2 over 1,7,0,2,9,0,1,2,3
#   = 3+49+0+2+72+0+4+10+6 = 146; 146 mod 11 = 3; K1 = 11 - 3 = 8, but digit 10 is 4: INVALID.
# NO 27034698436 (Idura): K1 over 2,7,0,3,4,6,9,8,4 = 6+49+0+3+32+54+36+40+8 = 228; 228 mod 11
#   = 8; K1 = 3 = digit 10. K2 weights 5,4,3,2,7,6,5,4,3,2 over 2,7,0,3,4,6,9,8,4,3 = 10+28+0
#   +6+28+36+45+32+12+6 = 203; 203 mod 11 = 5; K2 = 6 = digit 11: VALID. III = 984 (900-999,
#   YY 46 >= 40): 1900s -> 1946-03-27 (= birthdate). Ninth digit 4 even: female.
# SE 199002171234: Luhn over 9002171234 = 34: INVALID (as in the seed).
# SE 196802020575 (Idura): Luhn over 6802020575, doubling every second digit from the right:
#   5 + (7*2=14->5) + 5 + (0) + 2 + (0) + 2 + (0) + 8 + (6*2=12->3) = 30: VALID. 1968-02-02;
#   second-to-last digit 7 odd: male.
# DK 1107744882 (eID Hub MitID): digit 7 is 4, YY 74 > 36: 1900s -> 1974-07-11 (= birthdate);
#   last digit 2 even: female. (It even passes mod-11: 4+3+0+49+42+20+16+32+16+2 = 184 = 16*11.)
# DK 0911291673 (Express MitID): digit 7 is 1: 1900s -> 1929-11-09 (= birthdate); 3 odd: male.
# DK 2101270087 (Idura MitID): digit 7 is 0: 1900s -> 1927-01-21 (= birthdate); 7 odd: male.
# DK 2712589100 (Idura MitID): digit 7 is 9, YY 58 > 36: 1900s -> 1958-12-27 (= birthdate);
#   0 even: female.
# DK 0707490071 (Idura NemID): digit 7 is 0: 1900s -> 1949-07-07 (no birthdate claim); 1 odd:
#   male.
# FI 070770-905D: 070770905 mod 31 = 13 -> "D": VALID (see the seed); 905 odd: male.
# EE 49002171234 (eID Hub Smart-ID / Mobiil-ID): weights 1..9,1 over 4,9,0,0,2,1,7,1,2,3 =
#   4+18+0+0+10+6+49+8+18+3 = 116; 116 mod 11 = 6, but the check digit is 4: INVALID.
