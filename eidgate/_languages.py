"""The languages of the gate's pages: the built-in strings, and which language a page is in.

A table of strings per language (``TRANSLATIONS``: English, Danish, German, Finnish,
Norwegian Bokmål, Dutch, Swedish), the app's own additions (:func:`language_tables`), and
``Accept-Language`` negotiation (RFC 9110 12.5.4, RFC 4647 lookup). A leaf: config checks
its ``languages`` key against these tables, and the pages (``eidgate.web``) read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeAlias

from ._errors import ConfigError

#: ``strings=``: one table of strings per language tag (``{"fi": {...}, "sv": {...}}``);
#: the keys are those of :data:`STRINGS`.
Strings: TypeAlias = Mapping[str, Mapping[str, str]]

STRINGS: dict[str, str] = {
    "lang": "en",
    # the provider's answer says our configuration is wrong (a wrong client secret or
    # issuer): not an outage, and nothing the person can fix (status 500)
    "misconfigured_title": "Login is not available",
    "misconfigured": "The login of this service is not set up correctly, so you cannot log in "
                     "right now. Please try again later.",
    # a gate route asked with a method it does not take (405, RFC 9110 15.5.6)
    "method_not_allowed_title": "This page cannot be opened like this",
    "method_not_allowed": "This address does not take this kind of request.",
    # the callback came without any pending-login cookie: most often the login was begun
    # at another host than base_url's (its cookie stays there); {address}: base_url
    "wrong_host": "This login could not be completed here: this browser has no login started at "
                  "{address}. If you opened the site at another address, open it at {address} and "
                  "log in again.",
    "not_found_title": "Page not found",
    "picker_title": "Log in",
    "picker_text": "Choose how you want to prove who you are.",
    "error_title": "Login did not complete",
    "canceled": "The login was canceled. You can try again.",
    "rejected": "The login was not completed by the identity provider. You can try again.",
    "invalid_callback": "This login could not be completed. Please start again.",
    "login_expired": "The login took too long. Please start again.",
    "details": "Details",
    "provider_said": "Message from the identity provider: {detail}",
    "unavailable_title": "Identity provider unavailable",
    "unavailable": "We could not reach the identity provider. Please try again in a moment.",
    # the session store (Redis) did not answer: the person's login is fine, ours is not
    "store_unavailable_title": "Temporarily unavailable",
    "store_unavailable": "Your login could not be checked just now. Please try again in a moment.",
    "try_again": "Try again",
    "logged_out_title": "You are logged out",
    "logged_out": "You have been logged out.",
    "home": "Back to the start page",
    "not_found": "This page does not exist.",
    "unknown_provider": "This identity provider is not configured.",
    "logout_refused": "This logout request came from another site and was refused.",
    "insufficient_loa": "The eID you used does not reach the level of assurance this page "
                        "requires. Please log in with a stronger eID.",
    "login_too_old": "This page needs a recent login, and the identity provider did not "
                     "confirm one. Please log in again.",
}

# One complete table per language; a test holds every table to English's keys and
# placeholders. Wording as a bank or public-sector site in that country writes it.
TRANSLATIONS: dict[str, dict[str, str]] = {
    "en": STRINGS,
    "da": {
        "lang": "da",
        "misconfigured_title": "Login er ikke tilgængeligt",
        "misconfigured": "Login på denne tjeneste er ikke sat korrekt op, så du kan ikke logge "
                         "ind lige nu. Prøv igen senere.",
        "method_not_allowed_title": "Siden kan ikke åbnes på denne måde",
        "method_not_allowed": "Denne adresse modtager ikke denne type anmodning.",
        "wrong_host": "Login kunne ikke gennemføres her: denne browser har intet login startet på "
                      "{address}. Hvis du åbnede siden på en anden adresse, så åbn den på "
                      "{address}, og log ind igen.",
        "not_found_title": "Siden blev ikke fundet",
        "picker_title": "Log ind",
        "picker_text": "Vælg, hvordan du vil identificere dig.",
        "error_title": "Login blev ikke gennemført",
        "canceled": "Login blev afbrudt. Du kan prøve igen.",
        "rejected": "Login blev ikke gennemført hos identitetsudbyderen. Du kan prøve igen.",
        "invalid_callback": "Login kunne ikke gennemføres. Start venligst forfra.",
        "login_expired": "Login tog for lang tid. Start venligst forfra.",
        "details": "Detaljer",
        "provider_said": "Besked fra identitetsudbyderen: {detail}",
        "unavailable_title": "Identitetsudbyderen er ikke tilgængelig",
        "store_unavailable_title": "Midlertidigt utilgængelig",
        "store_unavailable": "Dit login kunne ikke kontrolleres lige nu. "
                             "Prøv igen om lidt.",
        "unavailable": "Vi kunne ikke få forbindelse til identitetsudbyderen. "
                       "Prøv igen om lidt.",
        "try_again": "Prøv igen",
        "logged_out_title": "Du er logget ud",
        "logged_out": "Du er nu logget ud.",
        "home": "Tilbage til forsiden",
        "not_found": "Siden findes ikke.",
        "unknown_provider": "Denne identitetsudbyder er ikke sat op.",
        "logout_refused": "Denne anmodning om at logge ud kom fra et andet websted og blev afvist.",
        "insufficient_loa": "Det eID, du brugte, har ikke det sikringsniveau, som siden kræver. "
                            "Log ind med et stærkere eID.",
        "login_too_old": "Denne side kræver et nyligt login, og identitetsudbyderen "
                         "bekræftede ikke et. Log ind igen.",
    },
    "de": {
        "lang": "de",
        "misconfigured_title": "Anmeldung nicht verfügbar",
        "misconfigured": "Die Anmeldung dieses Dienstes ist nicht richtig eingerichtet, daher "
                         "können Sie sich gerade nicht anmelden. Bitte versuchen Sie es später "
                         "erneut.",
        "method_not_allowed_title": "Diese Seite lässt sich so nicht öffnen",
        "method_not_allowed": "Diese Adresse nimmt diese Art von Anfrage nicht an.",
        "wrong_host": "Die Anmeldung konnte hier nicht abgeschlossen werden: Dieser Browser hat "
                      "keine Anmeldung unter {address} begonnen. Wenn Sie die Seite unter einer "
                      "anderen Adresse geöffnet haben, öffnen Sie sie unter {address} und melden "
                      "Sie sich erneut an.",
        "not_found_title": "Seite nicht gefunden",
        "picker_title": "Anmelden",
        "picker_text": "Wählen Sie, wie Sie sich ausweisen möchten.",
        "error_title": "Anmeldung nicht abgeschlossen",
        "canceled": "Die Anmeldung wurde abgebrochen. Sie können es erneut versuchen.",
        "rejected": "Die Anmeldung wurde vom Identitätsanbieter nicht abgeschlossen. "
                    "Sie können es erneut versuchen.",
        "invalid_callback": "Die Anmeldung konnte nicht abgeschlossen werden. "
                            "Bitte beginnen Sie von vorn.",
        "login_expired": "Die Anmeldung hat zu lange gedauert. Bitte beginnen Sie von vorn.",
        "details": "Details",
        "provider_said": "Meldung des Identitätsanbieters: {detail}",
        "unavailable_title": "Identitätsanbieter nicht erreichbar",
        "store_unavailable_title": "Vorübergehend nicht verfügbar",
        "store_unavailable": "Ihre Anmeldung konnte gerade nicht geprüft werden. "
                             "Bitte versuchen Sie es in Kürze erneut.",
        "unavailable": "Der Identitätsanbieter ist gerade nicht erreichbar. "
                       "Bitte versuchen Sie es in Kürze erneut.",
        "try_again": "Erneut versuchen",
        "logged_out_title": "Sie sind abgemeldet",
        "logged_out": "Sie wurden abgemeldet.",
        "home": "Zurück zur Startseite",
        "not_found": "Diese Seite gibt es nicht.",
        "unknown_provider": "Dieser Identitätsanbieter ist nicht eingerichtet.",
        "logout_refused": "Diese Abmeldung kam von einer anderen Website und wurde abgelehnt.",
        "insufficient_loa": "Die verwendete eID erreicht nicht das Vertrauensniveau, das diese "
                            "Seite verlangt. Bitte melden Sie sich mit einer stärkeren eID an.",
        "login_too_old": "Diese Seite verlangt eine frische Anmeldung, und der "
                         "Identitätsanbieter hat keine bestätigt. Bitte melden Sie sich "
                         "erneut an.",
    },
    "fi": {
        "lang": "fi",
        "misconfigured_title": "Kirjautuminen ei ole käytettävissä",
        "misconfigured": "Tämän palvelun kirjautumista ei ole määritetty oikein, joten et voi "
                         "kirjautua juuri nyt. Yritä myöhemmin uudelleen.",
        "method_not_allowed_title": "Sivua ei voi avata näin",
        "method_not_allowed": "Tämä osoite ei ota vastaan tällaista pyyntöä.",
        "wrong_host": "Tunnistautumista ei voitu viedä loppuun: tällä selaimella ei ole aloitettu "
                      "tunnistautumista osoitteessa {address}. Jos avasit palvelun eri "
                      "osoitteessa, avaa se osoitteessa {address} ja tunnistaudu uudelleen.",
        "not_found_title": "Sivua ei löydy",
        "picker_title": "Tunnistaudu",
        "picker_text": "Valitse tunnistustapa.",
        "error_title": "Tunnistautuminen ei onnistunut",
        "canceled": "Tunnistautuminen keskeytettiin. Voit yrittää uudelleen.",
        "rejected": "Tunnistautumista ei saatu päätökseen tunnistuspalvelussa. "
                    "Voit yrittää uudelleen.",
        "invalid_callback": "Tunnistautumista ei voitu viedä loppuun. Aloita alusta.",
        "login_expired": "Tunnistautuminen kesti liian kauan. Aloita alusta.",
        "details": "Lisätiedot",
        "provider_said": "Tunnistuspalvelun viesti: {detail}",
        "unavailable_title": "Tunnistuspalvelu ei ole käytettävissä",
        "store_unavailable_title": "Tilapäisesti poissa käytöstä",
        "store_unavailable": "Kirjautumistasi ei voitu juuri nyt tarkistaa. "
                             "Yritä hetken kuluttua uudelleen.",
        "unavailable": "Emme saaneet yhteyttä tunnistuspalveluun. "
                       "Yritä hetken kuluttua uudelleen.",
        "try_again": "Yritä uudelleen",
        "logged_out_title": "Olet kirjautunut ulos",
        "logged_out": "Uloskirjautuminen onnistui.",
        "home": "Takaisin etusivulle",
        "not_found": "Sivua ei löydy.",
        "unknown_provider": "Tätä tunnistuspalvelua ei ole otettu käyttöön.",
        "logout_refused": "Uloskirjautumispyyntö tuli toiselta sivustolta, joten se hylättiin.",
        "insufficient_loa": "Käyttämäsi tunnistustapa ei täytä tämän sivun vaatimaa "
                            "varmuustasoa. Tunnistaudu vahvemmalla tavalla.",
        "login_too_old": "Tämä sivu vaatii tuoreen tunnistautumisen, eikä "
                         "tunnistuspalvelu vahvistanut sitä. Tunnistaudu uudelleen.",
    },
    "nb": {
        "lang": "nb",
        "misconfigured_title": "Innlogging er ikke tilgjengelig",
        "misconfigured": "Innloggingen til denne tjenesten er ikke satt opp riktig, så du kan "
                         "ikke logge inn akkurat nå. Prøv igjen senere.",
        "method_not_allowed_title": "Siden kan ikke åpnes på denne måten",
        "method_not_allowed": "Denne adressen tar ikke imot denne typen forespørsel.",
        "wrong_host": "Innloggingen kunne ikke fullføres her: denne nettleseren har ingen "
                      "innlogging startet på {address}. Hvis du åpnet siden på en annen adresse, "
                      "åpne den på {address} og logg inn på nytt.",
        "not_found_title": "Fant ikke siden",
        "picker_title": "Logg inn",
        "picker_text": "Velg hvordan du vil identifisere deg.",
        "error_title": "Innloggingen ble ikke fullført",
        "canceled": "Innloggingen ble avbrutt. Du kan prøve igjen.",
        "rejected": "Innloggingen ble ikke fullført hos identitetsleverandøren. "
                    "Du kan prøve igjen.",
        "invalid_callback": "Innloggingen kunne ikke fullføres. Start på nytt.",
        "login_expired": "Innloggingen tok for lang tid. Start på nytt.",
        "details": "Detaljer",
        "provider_said": "Melding fra identitetsleverandøren: {detail}",
        "unavailable_title": "Identitetsleverandøren er utilgjengelig",
        "store_unavailable_title": "Midlertidig utilgjengelig",
        "store_unavailable": "Innloggingen din kunne ikke kontrolleres akkurat nå. "
                             "Prøv igjen om litt.",
        "unavailable": "Vi fikk ikke kontakt med identitetsleverandøren. Prøv igjen om litt.",
        "try_again": "Prøv igjen",
        "logged_out_title": "Du er logget ut",
        "logged_out": "Du er nå logget ut.",
        "home": "Tilbake til forsiden",
        "not_found": "Denne siden finnes ikke.",
        "unknown_provider": "Denne identitetsleverandøren er ikke satt opp.",
        "logout_refused": "Denne forespørselen om å logge ut kom fra et annet nettsted og "
                          "ble avvist.",
        "insufficient_loa": "eID-en du brukte, har ikke sikkerhetsnivået denne siden krever. "
                            "Logg inn med en sterkere eID.",
        "login_too_old": "Denne siden krever en fersk innlogging, og "
                         "identitetsleverandøren bekreftet ingen. Logg inn på nytt.",
    },
    "nl": {
        "lang": "nl",
        "misconfigured_title": "Inloggen is niet beschikbaar",
        "misconfigured": "Het inloggen bij deze dienst is niet goed ingesteld, daardoor kun je nu "
                         "niet inloggen. Probeer het later opnieuw.",
        "method_not_allowed_title": "Deze pagina kan zo niet worden geopend",
        "method_not_allowed": "Dit adres neemt dit soort verzoek niet aan.",
        "wrong_host": "Deze inlog kon hier niet worden afgerond: deze browser heeft geen inlog "
                      "gestart op {address}. Heb je de site op een ander adres geopend, open hem "
                      "dan op {address} en log opnieuw in.",
        "not_found_title": "Pagina niet gevonden",
        "picker_title": "Inloggen",
        "picker_text": "Kies hoe u wilt inloggen.",
        "error_title": "Inloggen is niet gelukt",
        "canceled": "Het inloggen is geannuleerd. U kunt het opnieuw proberen.",
        "rejected": "Het inloggen is niet afgerond bij de identiteitsaanbieder. "
                    "U kunt het opnieuw proberen.",
        "invalid_callback": "Het inloggen kon niet worden afgerond. Begin opnieuw.",
        "login_expired": "Het inloggen duurde te lang. Begin opnieuw.",
        "details": "Details",
        "provider_said": "Bericht van de identiteitsaanbieder: {detail}",
        "unavailable_title": "Identiteitsaanbieder niet bereikbaar",
        "store_unavailable_title": "Tijdelijk niet beschikbaar",
        "store_unavailable": "Je aanmelding kon nu niet worden gecontroleerd. "
                             "Probeer het zo meteen opnieuw.",
        "unavailable": "We konden de identiteitsaanbieder niet bereiken. "
                       "Probeer het zo meteen opnieuw.",
        "try_again": "Opnieuw proberen",
        "logged_out_title": "U bent uitgelogd",
        "logged_out": "U bent nu uitgelogd.",
        "home": "Terug naar de startpagina",
        "not_found": "Deze pagina bestaat niet.",
        "unknown_provider": "Deze identiteitsaanbieder is niet ingesteld.",
        "logout_refused": "Dit verzoek om uit te loggen kwam van een andere website en is "
                          "geweigerd.",
        "insufficient_loa": "De gebruikte eID haalt het betrouwbaarheidsniveau van deze pagina "
                            "niet. Log in met een sterkere eID.",
        "login_too_old": "Deze pagina vraagt om een recente inlog en de "
                         "identiteitsprovider heeft die niet bevestigd. Log opnieuw in.",
    },
    "sv": {
        "lang": "sv",
        "misconfigured_title": "Inloggningen är inte tillgänglig",
        "misconfigured": "Inloggningen till den här tjänsten är inte korrekt inställd, så du kan "
                         "inte logga in just nu. Försök igen senare.",
        "method_not_allowed_title": "Sidan kan inte öppnas på det här sättet",
        "method_not_allowed": "Den här adressen tar inte emot den här typen av begäran.",
        "wrong_host": "Inloggningen kunde inte slutföras här: den här webbläsaren har ingen "
                      "inloggning påbörjad på {address}. Om du öppnade webbplatsen på en annan "
                      "adress, öppna den på {address} och logga in igen.",
        "not_found_title": "Sidan hittades inte",
        "picker_title": "Legitimera dig",
        "picker_text": "Välj vilken e-legitimation du vill använda.",
        "error_title": "Inloggningen slutfördes inte",
        "canceled": "Inloggningen avbröts. Du kan försöka igen.",
        "rejected": "Inloggningen slutfördes inte hos identitetsleverantören. "
                    "Du kan försöka igen.",
        "invalid_callback": "Inloggningen kunde inte slutföras. Börja om från början.",
        "login_expired": "Inloggningen tog för lång tid. Börja om från början.",
        "details": "Detaljer",
        "provider_said": "Meddelande från identitetsleverantören: {detail}",
        "unavailable_title": "Identitetsleverantören är inte tillgänglig",
        "store_unavailable_title": "Tillfälligt otillgänglig",
        "store_unavailable": "Din inloggning kunde inte kontrolleras just nu. "
                             "Försök igen om en stund.",
        "unavailable": "Vi fick ingen kontakt med identitetsleverantören. "
                       "Försök igen om en stund.",
        "try_again": "Försök igen",
        "logged_out_title": "Du är utloggad",
        "logged_out": "Du har loggats ut.",
        "home": "Tillbaka till startsidan",
        "not_found": "Sidan finns inte.",
        "unknown_provider": "Den här identitetsleverantören är inte konfigurerad.",
        "logout_refused": "Begäran om att logga ut kom från en annan webbplats och avvisades.",
        "insufficient_loa": "E-legitimationen du använde når inte den tillitsnivå som sidan "
                            "kräver. Logga in med en starkare e-legitimation.",
        "login_too_old": "Sidan kräver en nyligen gjord inloggning och "
                         "identitetsleverantören bekräftade ingen. Logga in igen.",
    },
}

#: Requests for these tags get the table named beside them: Norwegian (``no``) and Nynorsk
#: (``nn``) readers get Bokmål rather than English.
ALIASES: dict[str, str] = {"no": "nb", "nn": "nb"}

#: a language tag (RFC 5646 2.1, loosely: what Accept-Language, ui_locales and html lang take)
LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")  # RFC 9110 12.4.2
_MAX_RANGES = 32  # a browser sends a handful; more is not worth reading


def parse_accept_language(header: str) -> list[tuple[str, float]]:
    """The language ranges of an ``Accept-Language`` value, most wanted first.

    RFC 9110 12.5.4: ``1#( language-range [ weight ] )``, ranges as in RFC 4647 2.1 (or
    ``*``), weights ``;q=`` 0 to 1 with at most three decimals (12.4.2). Ranges are
    lower-cased; equal weights keep the header's order (the sort is stable); a malformed
    member is skipped rather than spoiling the others.
    """
    ranges: list[tuple[str, float]] = []
    for member in header.split(",")[:_MAX_RANGES]:
        tag, *params = (part.strip() for part in member.split(";"))
        if tag != "*" and not LANGUAGE_TAG.fullmatch(tag):
            continue
        weight: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":  # RFC 9110 12.4.2: "q" is case-insensitive
                value = value.strip()
                weight = float(value) if _QVALUE.fullmatch(value) else None
        if weight is not None:
            ranges.append((tag.lower(), weight))
    ranges.sort(key=lambda r: -r[1])
    return ranges


def _lookup(language_range: str, offered: Sequence[str]) -> str | None:
    """RFC 4647 3.4 lookup: ``de-CH-1996``, then ``de-ch``, then ``de``; aliases too."""
    tag = language_range
    while tag:
        if tag in offered:
            return tag
        alias = ALIASES.get(tag)
        if alias in offered:
            return alias
        tag = tag.rpartition("-")[0]
    return None


def match(header: str | None, offered: Sequence[str]) -> str | None:
    """The language of ``offered`` (lower-case tags) ``Accept-Language`` asks for, or None.

    The highest-weighted range that matches an offered language wins (``sv-SE`` matches
    ``sv``, ``no`` and ``nn`` match ``nb``); ``*`` stands for any offered language not
    refused with ``q=0`` (RFC 9110 12.5.4).
    """
    ranges = parse_accept_language(header or "")
    # q=0 refuses that very language (RFC 9110 12.4.2 "not acceptable"), not its parent:
    # "de-CH;q=0, de;q=0.9" still wants German
    refused = {ALIASES.get(r, r) for r, q in ranges if q == 0 and r != "*"}
    for language_range, weight in ranges:
        if weight == 0:
            break
        if language_range == "*":
            found = next((o for o in offered if o not in refused), None)
        else:
            found = _lookup(language_range, offered)
        if found is not None and found not in refused:
            return found
    return None


def negotiate(header: str | None, offered: Sequence[str]) -> str:
    """The language of ``offered`` to answer in: :func:`match`, else ``offered[0]``.

    RFC 9110 12.5.4 lets a server disregard the field when nothing fits; a page in the
    default language helps more than a 406.
    """
    if not header or len(offered) == 1:
        return offered[0]
    return match(header, offered) or offered[0]


def language_tables(strings: Strings | None = None, languages: Iterable[str] | str | None = None
                    ) -> tuple[tuple[str, ...], dict[str, dict[str, str]]]:
    """The languages to offer (the fallback first) and the strings of each.

    ``strings``, one table per language tag (``{"fi": {"picker_title": ...}, "is": {...}}``),
    rewords a built-in table or adds a language (its missing keys in English).
    ``languages`` restricts and orders the offer: ``["fi", "sv", "en"]`` offers three,
    Finnish when the browser asks for none of them; ``"fi"`` (or ``["fi"]``) pins Finnish.
    By default all built-in and added languages, English first.

    Raises :class:`~eidgate.ConfigError` naming the option for a table that is not one per
    language and for a language with no table.
    """
    if isinstance(languages, str):  # one language: languages="fi" pins it
        languages = [languages]
    tables = {tag: dict(table) for tag, table in TRANSLATIONS.items()}
    for raw_tag, words in (strings or {}).items():
        tag = raw_tag.lower() if isinstance(raw_tag, str) else ""
        if not LANGUAGE_TAG.fullmatch(tag) or not isinstance(words, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in words.items()):
            raise ConfigError(f"{raw_tag!r} is not a language tag with a table of strings; "
                              'write strings={"fi": {"picker_title": "..."}}',
                              option="strings")
        tables[tag] = {**tables.get(tag, {**STRINGS, "lang": tag}), **words}
    if languages is None:
        offered = tuple(tables)
    else:
        wanted = [w.lower() for w in languages]
        offered = tuple(dict.fromkeys(w if w in tables else ALIASES.get(w, w)
                                      for w in wanted))
        unknown = [w for w in offered if w not in tables]
        if unknown or not offered:
            raise ConfigError(f"no strings for {unknown or 'no language'}; available: "
                              f"{', '.join(sorted(tables))}; add a language with "
                              'strings={"<tag>": {...}}', option="languages")
    return offered, {tag: tables[tag] for tag in offered}
