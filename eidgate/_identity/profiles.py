"""Claim profiles: what each eID sends, as data, and how ``auto`` recognises the eID.

Detection order (first that answers wins): the eID Hub's ``idp`` / ``idp_issuer`` claim
(and FTN's ``ftn.idpId`` / ``ftn_idp``, naming the Finnish provider), Idura's
``identityscheme``, an ``acr`` naming a method (``urn:signicat:oidc:method:nbid``,
``urn:grn:authn:se:bankid``), the requested scopes, an issuer that is the eID's own provider;
then claim names only one eID uses (``mitid.*``, ``npa.*``, ``yes.*``, ``consumer.bin``,
``ftn.*``), certificate claims (Norwegian BankID's policy OID arc), and last the shape of the
national number with the ``locale`` claim. Otherwise: generic OIDC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from .._errors import ConfigError
from .claim_values import country, first_text, text
from .model import Level

Claims: TypeAlias = Mapping[str, Any]
#: (first name, last name, full name, initials), as docs/identity.md defines them.
Names: TypeAlias = tuple[str | None, str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class Profile:
    """What one eID sends: where its national number and pseudonym are, its usual level,
    and, where the eID departs from the OpenID Connect claims, how to read it (hooks that
    ``normalize`` calls; None: the claims are read the OpenID Connect way)."""

    method: str
    country: str | None = None  # country of the national number it carries
    id_claims: tuple[str, ...] = ()
    pseudonym_claims: tuple[str, ...] = ()
    default_loa: Level | None = None
    capital_names: bool = False  # sends names in capitals only
    # the claims to read, from the claims sent (some are worth more than others)
    prepare: Callable[[Claims], Claims] | None = None
    # the names, when the eID has its own name shape (given the OIDC `name`)
    names: Callable[[Claims, str | None], Names] | None = None
    # address parts from the eID's own address claims; they win over the OIDC `address`
    address: Callable[[Claims], dict[str, str | None]] | None = None
    # the nationality the eID implies when no claim states one
    nationality: Callable[[Claims], str | None] | None = None


# -- the eIDs' own shapes (hooks of the table below) ---------------------------------------

_YES_VERIFIED = "yes.verified."


def _yes_verified(claims: Claims) -> Claims:
    """Yes: claims verified against an identity document (``yes.verified.*``) win."""
    merged = dict(claims)
    address = dict(claims["address"]) if isinstance(claims.get("address"), dict) else {}
    for key, value in claims.items():
        if key.startswith(_YES_VERIFIED):
            name = key[len(_YES_VERIFIED):]
            if name.startswith("address."):
                address[name[len("address."):]] = value
            else:
                merged[name] = value
    if address:
        merged["address"] = address
    if "nationality" not in merged and "yes.nationality" in claims:
        merged["nationality"] = claims["yes.nationality"]
    return merged


def _idin_names(c: Claims, name: str | None) -> Names:
    """iDIN gives initials, never a first name; the last name is the legal prefix plus the
    legal last name ("de" + "Vries"), in the legacy dotted or the eID Hub's claim names."""
    initials = first_text(c, "consumer.initials", "initials", "idin.consumer.initials",
                          "given_name")
    legal = first_text(c, "consumer.legallastname", "idin_legal_last_name",
                       "idin.consumer.legallastname", "legallastname") or first_text(
        c, "family_name")
    prefix = first_text(c, "consumer.legallastnameprefix", "idin_legal_last_name_prefix",
                        "idin.consumer.legallastnameprefix", "legallastnameprefix")
    last = legal
    if prefix and legal and not legal.lower().startswith(prefix.lower() + " "):
        last = f"{prefix} {legal}"
    full = name or " ".join(p for p in (initials, last) if p) or None
    return None, last, full, initials


def _idin_address(c: Claims) -> dict[str, str | None]:
    """iDIN's address attributes: street, house number and its suffix apart."""
    street = " ".join(p for p in (first_text(c, "consumer.street"),
                                  first_text(c, "consumer.houseno"),
                                  first_text(c, "consumer.housenosuf")) if p)
    return {k: v for k, v in (
        ("street", street or None), ("postal_code", first_text(c, "consumer.postalcode")),
        ("city", first_text(c, "consumer.city")),
        ("country", country(c.get("consumer.country")))) if v}


def _npa_address(c: Claims) -> dict[str, str | None]:
    """The Personalausweis' place of residence, one string of five parts."""
    residence = c.get("npa.place_of_residence", c.get("npa_place_of_residence"))
    if not isinstance(residence, str):
        return {}
    # "D:null:51147:KÖLN:HEIDESTRASSE 17": country:region:postcode:city:street
    fields = [None if p.strip() in ("", "null") else p.strip()
              for p in residence.split(":", 4)]
    if len(fields) != 5:
        return {}
    return {k: v for k, v in zip(
        ("country", "region", "postal_code", "city", "street"),
        (country(fields[0]), *(text(f) for f in fields[1:])), strict=True) if v}


def _npa_nationality(c: Claims) -> str | None:
    """The Personalausweis (document type ID) is issued to Germans only."""
    return "DE" if (c.get("npa.document_type") or c.get("npa_document_type")) == "ID" \
        else None


_NIN = ("nin", "signicat.national_id")  # eID Hub first, legacy Signicat second
# Norwegian BankID's own OIDC provider (developer.bankid.no, "ID Token" / "Userinfo"): the
# fødselsnummer in `nnin_altsub` (ID token) or `nnin` (userinfo), the PID in `bankid_altsub`.
_NNIN = ("nnin", "nnin_altsub")
# CPR under the Danish public names: OIOSAML 2 (NemID / NemLog-in) and OIOSAML 3 (MitID),
# also passed through as OIDC claims by brokers, and the `dk.cpr` of some MitID brokers.
_CPR = ("dk.cpr", "dk:gov:saml:attribute:CprNumberIdentifier",
        "https://data.gov.dk/model/core/eid/cprNumber")
_ITSME_NN = "http://itsme.services/v2/claim/BENationalNumber"  # itsme's own OIDC claim
PROFILES: dict[str, Profile] = {p.method: p for p in (
    Profile("ftn", "FI", (*_NIN, "hetu", "ftn_hetu"), (), "substantial"),
    Profile("mobiilivarmenne", "FI", (*_NIN, "hetu", "ftn_hetu"), (), "substantial"),
    Profile("idin", None, (), ("consumer.bin", "idin.consumer.bin", "idin.rabo.consumer.bin",
                               "idp_id", "bin", "signicat.national_id"), "substantial",
            names=_idin_names, address=_idin_address),
    Profile("itsme", "BE", ("nin", "itsme.national_number", "nationalnumber", _ITSME_NN), (),
            "high"),
    Profile("mitid", "DK", ("mitid.cpr", "mitid_cpr", *_NIN, "cprNumberIdentifier", *_CPR),
            ("mitid.uuid", "mitid_uuid", "uuid", "idp_id"), None),
    Profile("nemid", "DK", (*_NIN, "cprNumberIdentifier", *_CPR),
            ("signicat.certificate_unique_id", "nemid.pid", "pid", "pidNumberIdentifier",
             "dk:gov:saml:attribute:PidNumberIdentifier", "idp_id"), "substantial"),
    # Norwegian BankID's PID: legacy certificate_unique_id, eID Hub idp_id, Idura uniqueuserid,
    # BankID's own bankid_altsub
    Profile("nbid", "NO", (*_NIN, "socialno", *_NNIN), (
        "signicat.certificate_unique_id", "nbid.pid", "idp_id", "nbid_alternative_subject",
        "uniqueuserid", "bankid_altsub"), "high"),
    Profile("npa", None, (), ("npa.pseudonym", "signicat.national_id", "idp_id"), "high",
            capital_names=True, address=_npa_address, nationality=_npa_nationality),
    Profile("smartid", None, _NIN, (), "substantial", capital_names=True),
    Profile("sbid", "SE", (*_NIN, "ssn"), (), "substantial"),
    Profile("yes", None, ("nin",), (), "substantial", prepare=_yes_verified),
    # Generic OpenID provider: the eID Hub's `nin` + `nin_issuing_country`, or the per-country
    # names of Idura and of the eIDs' own providers.
    Profile("oidc", None, ("nin", "ssn", "socialno", "cprNumberIdentifier", "hetu",
                           "nationalnumber", *_NNIN, *_CPR, _ITSME_NN), (), None),
)}
# Where the eIDs put the person's fields beside the OpenID Connect claim (first that holds a
# value wins). Read whatever the profile: each name is one eID's own, it cannot mislead.
GIVEN_NAME_CLAIMS = ("given_name", "npa.given_names", "npa_given_names")
FAMILY_NAME_CLAIMS = ("family_name", "npa.family_name", "npa_family_name")
BIRTH_DATE_CLAIMS = ("birthdate", "npa.date_of_birth", "npa_date_of_birth",
                     "consumer.dateofbirth", "date_of_birth", "dateofbirth")
NATIONALITY_CLAIMS = ("nationality", "npa.nationality", "npa_nationality",
                      "http://itsme.services/v2/claim/claim_citizenship_as_iso")
AGE_CLAIMS = ("age", "mitid.age", "mitid_age")
# the address as one string, when there is no OIDC `address` (Signicat Express MitID)
ADDRESS_TEXT_CLAIMS = ("mitid.address",)
# Claims whose name says the country of the number (Idura per country; the eIDs' own names).
CLAIM_COUNTRY = {"ssn": "SE", "socialno": "NO", "cprNumberIdentifier": "DK", "hetu": "FI",
                 "nationalnumber": "BE", "ftn_hetu": "FI", "mitid_cpr": "DK",
                 **dict.fromkeys(_NNIN, "NO"), **dict.fromkeys(_CPR, "DK"), _ITSME_NN: "BE"}

# `idp` values of the eID Hub and method names of legacy Signicat `acr` values.
_IDP = {"idin": "idin", "sbid": "sbid", "bankid-se": "sbid", "se-bankid": "sbid",
        "nbid": "nbid", "bankid-no": "nbid", "no-bankid": "nbid", "mitid": "mitid",
        "nemid": "nemid", "ftn": "ftn", "mobiilivarmenne": "mobiilivarmenne",
        "smartid": "smartid", "sk-smartid": "smartid", "smart-id": "smartid",
        "itsme": "itsme", "npa": "npa", "de-npa": "npa", "personalausweis": "npa",
        "yes": "yes", "yes.com": "yes"}
# Idura's `identityscheme` claim names the eID.
_SCHEMES = {"sebankid": "sbid", "nobankid": "nbid", "nobankid-oidc": "nbid",
            "nobankid-oidc-mobile": "nbid", "dkmitid": "mitid", "dkmitid-business": "mitid",
            "dknemid": "nemid", "fitupas": "ftn", "fimobiilivarmenne": "mobiilivarmenne",
            "fiftn": "ftn", "nlidin": "idin", "depersonalausweis": "npa", "deadesso": "npa",
            "beitsme": "itsme", "itsme": "itsme"}
# Idura acr values: urn:grn:authn:<country>:<eid>[:variant]
_GRN = {("se", "bankid"): "sbid", ("no", "bankid"): "nbid", ("dk", "mitid"): "mitid",
        ("fi", "bank-id"): "ftn", ("fi", "mobile-id"): "mobiilivarmenne", ("fi", "all"): "ftn",
        ("nl", "idin"): "idin", ("de", "personalausweis"): "npa", ("be", "itsme"): "itsme"}
# Signicat scopes that only one eID's claims come with.
_SCOPES = {"ftn": "ftn", "ftn-extra": "ftn", "signicat.idin": "idin", "idin-name": "idin",
           "mitid": "mitid", "mitid-extra": "mitid", "signicat.npa": "npa", "npa-extra": "npa",
           "signicat.yes": "yes", "signicat.yes.verified": "yes", "sbid-extra": "sbid"}
# Claim-name prefixes that only one eID uses.
_PREFIXES = (("mitid.", "mitid"), ("mitid_", "mitid"), ("npa.", "npa"), ("npa_", "npa"),
             ("yes.", "yes"), ("consumer.", "idin"), ("idin.", "idin"), ("idin_", "idin"),
             ("ftn.", "ftn"), ("ftn_", "ftn"), ("nbid_", "nbid"), ("sbid_", "sbid"),
             # the eIDs' own providers: BankID Norge, itsme, Yes
             ("bankid_altsub", "nbid"), ("nnin", "nbid"), ("http://itsme.services/", "itsme"),
             ("https://www.yes.com/claims/", "yes"))
# acr values of the eIDs' own providers (itsme: belgianmobileid.github.io "acr_values";
# Yes: "https://www.yes.com/acrs/online_banking_sca").
_ACR_PREFIXES = (("http://itsme.services/", "itsme"), ("https://www.yes.com/acrs/", "yes"))
# Domains of the eIDs' own OpenID providers: BankID Norge (auth.bankid.no, its preview
# preview.bankidapis.no), itsme (oidc.prd.itsme.services, oidc.e2e.itsme.services), Yes
# (issuers under yes.com).
_ISSUER_DOMAINS = (("bankid.no", "nbid"), ("bankidapis.no", "nbid"),
                   ("itsme.services", "itsme"), ("yes.com", "yes"))
_NBID_POLICY_ARC = "2.16.578.1.16."  # Norwegian BankID certificate policies (BankID Norge)
_LOCALE_COUNTRY = {"sv": "SE", "se": "SE", "no": "NO", "nb": "NO", "nn": "NO", "da": "DK",
                   "dk": "DK", "fi": "FI", "et": "EE", "ee": "EE", "lt": "LT", "lv": "LV"}


def get(name: str) -> Profile:
    """The profile called ``name``; :class:`ConfigError` for an unknown name."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ConfigError(f"unknown claim profile {name!r}; use 'auto' or one of "
                          f"{', '.join(sorted(PROFILES))}", key="profile") from None


def _idp(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    key = value.strip().lower()
    if key in _IDP:
        return _IDP[key]
    for sep in ("-", "_", ":"):  # "nbid-mobile", "ftn-op-auth", "mitid_business"
        if key.split(sep, 1)[0] in _IDP:
            return _IDP[key.split(sep, 1)[0]]
    return None


def _ftn_idp(claims: Mapping[str, Any]) -> str | None:
    """FTN's own idp claim (legacy ``ftn.idpId``, eID Hub ``ftn_idp``: ``fi-op``) names the
    Finnish identity provider that authenticated the person, as ``idp`` names the eID."""
    value = claims.get("ftn.idpId") or claims.get("ftn_idp")
    return "ftn" if isinstance(value, str) and value.strip() else None


def _acr(value: object) -> str | None:
    for word in value.split() if isinstance(value, str) else ():
        parts = word.lower().split(":")
        if parts[:4] == ["urn", "signicat", "oidc", "method"] and len(parts) > 4:
            found = _idp(parts[4])
        elif parts[:3] == ["urn", "grn", "authn"] and len(parts) > 4:
            found = _GRN.get((parts[3], parts[4]))
        elif parts[:2] == ["urn", "bankid"]:
            found = "nbid"  # BankID Norge's own acr: urn:bankid:bid;LOA=4
        else:
            found = next((m for p, m in _ACR_PREFIXES if word.lower().startswith(p)), None)
        if found:
            return found
    return None


def _finnish(claims: Mapping[str, Any]) -> str:
    """FTN bank login or Mobiilivarmenne (the mobile certificate, also brokered as FTN).

    The FTN idp claim names the bank or the mobile certificate; without one, a non-empty
    SATU (the certificate's electronic identifier, which bank logins do not fill) or, in
    the legacy shape, a phone number means the mobile certificate.
    """
    idp = str(claims.get("ftn.idpId") or claims.get("ftn_idp") or "").lower()
    if idp:
        return "mobiilivarmenne" if "mobiili" in idp or "mpki" in idp else "ftn"
    satu = claims.get("ftn.satu") or claims.get("satu") or claims.get("ftn_satu")
    if (isinstance(satu, str) and satu.strip()) or "phone_number" in claims:
        return "mobiilivarmenne"
    return "ftn"


def detect(claims: Mapping[str, Any], scopes: Iterable[str] = (),
           issuer: str | None = None) -> Profile:
    """Pick the eID's profile from the claims, the requested scopes and the issuer (``iss``,
    else ``issuer``: the eID's own OpenID provider), else generic."""
    scheme = claims.get("identityscheme")
    method = (_idp(claims.get("idp")) or _idp(claims.get("idp_issuer")) or _ftn_idp(claims)
              or (_SCHEMES.get(scheme.strip().lower()) if isinstance(scheme, str) else None)
              or _acr(claims.get("acr")) or _acr(claims.get("authenticationtype")) or next(
                  (_SCOPES[s] for s in scopes if s in _SCOPES), None)
              or _by_issuer(claims.get("iss") or issuer))
    if method is None:
        method = next((m for key in claims for prefix, m in _PREFIXES
                       if key.startswith(prefix)), None)
    if method is None:
        method = _by_certificate(claims) or _by_number(claims)
    if method in ("ftn", "mobiilivarmenne"):
        method = _finnish(claims) if method == "ftn" else method
    return PROFILES[method or "oidc"]


def _by_issuer(value: object) -> str | None:
    """The eID whose own OpenID provider issued the token (``https://auth.bankid.no/...``)."""
    if not isinstance(value, str) or not value.startswith("https://"):
        return None
    host = value[8:].split("/", 1)[0].split(":", 1)[0].lower()
    return next((m for domain, m in _ISSUER_DOMAINS
                 if host == domain or host.endswith("." + domain)), None)


def _by_certificate(claims: Mapping[str, Any]) -> str | None:
    policies = str(claims.get("signicat.certificate_policies") or "")
    issuer = str(claims.get("signicat.certificate_issuer_dn") or "")
    if policies.startswith(_NBID_POLICY_ARC) or ("BankID" in issuer and "C=NO" in issuer):
        return "nbid"
    if "BankID" in issuer and "C=SE" in issuer:
        return "sbid"
    return None


def _by_number(claims: Mapping[str, Any]) -> str | None:
    number = claims.get("signicat.national_id")
    if not isinstance(number, str):
        return None
    number = number.strip()
    country = _LOCALE_COUNTRY.get(str(claims.get("locale") or "").strip().lower())
    digits = number.isdigit()
    if len(number) == 11 and number[:6].isdigit() and number[6] in "+-YXWVUABCDEF":
        return "ftn"  # HETU shape (DDMMYY, century sign, ...)
    if number.upper().startswith(("PNOEE-", "PNOLT-", "PNOLV-")) or (
            digits and len(number) == 11 and country in ("EE", "LT", "LV")):
        return "smartid"
    if digits and country == "SE" and len(number) in (10, 12):
        return "sbid"
    if digits and country == "NO":
        return "nbid"
    if digits and country == "DK" and len(number) == 10:
        return "nemid"
    return None


def locale_country(claims: Mapping[str, Any]) -> str | None:
    """The country a ``locale`` claim points to (``sv`` -> SE), for ambiguous numbers."""
    return _LOCALE_COUNTRY.get(str(claims.get("locale") or "").strip().lower()[:2])
