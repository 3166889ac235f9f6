"""Write gazetteer/postcodes_demo.tsv: the postcodes of the demo directory and their centres.

Run `python seed_data/build_demo_postcodes.py` after changing demo_directory.json. Each postcode's
centre is the mean of the demo locations that use it; confidential locations are left out, so
their postcodes can never lead to them. UK and Canadian codes also get their outward part
("W1D", "M5V"). Replace or extend this file with real open postcode data (same columns) for
production: GeoNames' postal-code files (CC BY 4.0) or a national statistics office's.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTWARD = {"GB": re.compile(r"^(\S+)\s+\d[A-Z]{2}$"), "CA": re.compile(r"^([A-Z]\d[A-Z])\s*\d[A-Z]\d$")}


def main() -> None:
    """Collect the demo postcodes and write the TSV file."""
    directory = json.loads((HERE / "demo_directory.json").read_text(encoding="utf-8"))
    points: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
    for organization in directory["organizations"]:
        for location in organization.get("locations", []):
            if location.get("confidential") or location.get("latitude") is None:
                continue
            for address in location.get("addresses", []):
                country, code = address["country"], address["postal_code"].strip().upper()
                point = (location["latitude"], location["longitude"], address["city"])
                points[(country, code)].append(point)
                outward = OUTWARD.get(country)
                match = outward.match(code) if outward else None
                if match:
                    points[(country, match.group(1))].append(point)
    with (HERE / "gazetteer" / "postcodes_demo.tsv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["country_code", "postal_code", "place_name", "latitude", "longitude"])
        for (country, code), found in sorted(points.items()):
            latitude = round(sum(p[0] for p in found) / len(found), 5)
            longitude = round(sum(p[1] for p in found) / len(found), 5)
            writer.writerow([country, code, found[0][2], latitude, longitude])


if __name__ == "__main__":
    main()
