"""Cost of eidgate.normalize per identity, and of `import eidgate`.

Budgets (issue 3): < 50 us to normalise one identity; `import eidgate` < 150 ms.
Identities are seed examples (the broker's userinfo pages), one per eID family.

    .venv/bin/python benchmarks/normalize.py [--rounds 2000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from typing import Any

import eidgate

SEEDS: dict[str, dict[str, Any]] = {
    "ftn": {"signicat.certificate_bank": "FTN (OP)", "sub": "6uuw8LqnwP7Os5Kzl_CoFYldCpoKeXBf",
            "birthdate": "1970-07-07", "name": "Väinö Tunnistus",
            "signicat.national_id": "070770-905D", "given_name": "Väinö", "locale": "FI",
            "ftn.idpId": "fi-op", "family_name": "Tunnistus"},
    "idin": {"consumer.bin": "NLTRIO370f0cb71dfde80e31b23cc34a3088b5a09fee9cec20e746c2030780a4",
             "sub": "Hz0fqvmPC0jlBR_hJc2oaJPageele_hJ", "consumer.postalcode": "8681LW",
             "birthdate": "19700217", "address": {"country": "NL", "locality": "Utrecht",
                                                  "postal_code": "8681LW"},
             "consumer.initials": "C", "gender": "2", "consumer.dateofbirth": "19700217",
             "given_name": "C", "consumer.houseno": "92", "consumer.city": "Utrecht",
             "consumer.street": "Zeijerveenweg", "name": "C Stegenga",
             "consumer.country": "NL", "family_name": "Stegenga",
             "consumer.legallastname": "Stegenga"},
    "mitid": {"mitid.fal": "HIGH", "sub": "aob2hJFd1CBD1OKB9Kq7MyGEl-j1qhIY",
              "birthdate": "1990-02-17", "mitid.uuid": "121f8c3b-9084-4d6a-b058-65a399810f14",
              "signicat.national_id": "1702901234", "given_name": "Abelone",
              "mitid.ial": "SUBSTANTIAL", "mitid.loa": "LOW", "name": "Abelone Christensen",
              "family_name": "Christensen", "mitid.cpr": "1702901234"},
    "npa": {"sub": "3y2LkVrH8PhJKS94XvkD8Or8Ccj_f-Um", "npa.document_type": "ID",
            "birthdate": "Wed Aug 12 00:00:00 CEST 1964", "npa.issuing_state": "D",
            "signicat.national_id": "6A11052B71F808C8686D837C0BC1EAEE570227A439B45D0041C6CD",
            "npa.family_name": "MUSTERMANN",
            "npa.place_of_residence": "D:null:51147:KÖLN:HEIDESTRASSE 17",
            "given_name": "ERIKA", "locale": "DE", "name": "ERIKA MUSTERMANN",
            "family_name": "MUSTERMANN"},
    "yes": {"sub": "Jn-22vaVGrl8sCp4mtUZyQiWr_PQ0HGq", "yes.verified.family_name": "Gottschalk",
            "birthdate": "1996-08-30", "gender": "male",
            "yes.verified.address.street_address": "Heiligengeistbrücke 13",
            "yes.verified.birthdate": "1996-08-30", "email": "peter@platform.yes.com",
            "address": {"country": "DE", "locality": "Ohrenbach", "postal_code": "91620"},
            "email_verified": "true", "yes.verified.nationality": "DE",
            "yes.verified.given_name": "Peter", "name": "Gottschalk, Peter",
            "phone_number": "+12025550143", "family_name": "Gottschalk", "given_name": "Peter"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'identity':<10}{'auto':>10}{'explicit':>10}")
    worst = 0.0
    for name, claims in SEEDS.items():
        row = []
        for profile in ("auto", name):
            samples = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                eidgate.normalize(claims, profile)
                samples.append(time.perf_counter() - t)
            row.append(statistics.median(samples))
        worst = max(worst, *row)
        print(f"{name:<10}{row[0] * 1e6:>8.1f}us{row[1] * 1e6:>8.1f}us")
    print(f"worst median: {worst * 1e6:.1f} us (budget 50 us)")

    def run(code: str) -> float:
        times = []
        for _ in range(7):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - t)
        return statistics.median(times)
    bare, full = run("pass"), run("import eidgate")
    print(f"import eidgate: {(full - bare) * 1e3:.0f} ms over a bare interpreter "
          f"({full * 1e3:.0f} ms vs {bare * 1e3:.0f} ms; budget 150 ms)")


if __name__ == "__main__":
    main()
