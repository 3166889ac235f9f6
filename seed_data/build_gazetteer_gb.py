"""Build the UK gazetteer files in gazetteer/ from open data (see seed_data/README.md for sources).

    python seed_data/build_gazetteer_gb.py GEONAMES_GB_TXT ADMIN1_CODES CODEPOINT_CSV_DIR GEONAMES_POSTAL_GB_TXT

- GEONAMES_GB_TXT: GeoNames' GB.txt (all features of the United Kingdom, CC BY 4.0);
- ADMIN1_CODES: GeoNames' admin1CodesASCII.txt (first-level division names, CC BY 4.0);
- CODEPOINT_CSV_DIR: OS Code-Point Open's Data/CSV folder (every GB unit postcode, OGL v3);
- GEONAMES_POSTAL_GB_TXT: GeoNames' postal-code GB.txt (outward codes, CC BY 4.0), used for
  Northern Ireland's districts, which Code-Point Open leaves out.

Writes gazetteer/places_gb.tsv.gz, gazetteer/admin1_names.tsv and gazetteer/postcodes_gb.tsv.gz.
Postcode sectors and districts get the mean point of their unit postcodes.
"""

from __future__ import annotations

import csv
import gzip
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services_api.geo.osgb import grid_to_wgs84  # noqa: E402

OUT = Path(__file__).resolve().parent / "gazetteer"
GONE = {"PPLH", "PPLQ", "PPLW", "PPLCH"}
GEONAMES = [
    "geonameid", "name", "asciiname", "alternate_names", "latitude", "longitude", "feature_class",
    "feature_code", "country_code", "cc2", "admin1_code", "admin2_code", "admin3_code", "admin4_code",
    "population", "elevation", "dem", "timezone", "modified",
]  # fmt: skip
PLACE_COLUMNS = [
    "geonameid", "name", "country_code", "admin1_code", "feature_code", "latitude", "longitude",
    "population", "timezone", "part_of", "district", "region", "alternate_names",
]  # fmt: skip
POSTCODE_COLUMNS = [
    "country_code", "postal_code", "kind", "place_name", "part_of", "district", "region", "latitude", "longitude",
]  # fmt: skip
CITY_POPULATION = 100_000
PART_OF_KM = 12.0
UNIT = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])[A-Z]{2}$")


def _km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _writer(handle: object) -> csv.DictWriter:  # type: ignore[type-arg]
    return csv.DictWriter(
        handle,  # type: ignore[arg-type]
        fieldnames=[],
        delimiter="\t",
        quoting=csv.QUOTE_NONE,
        escapechar="\\",
        lineterminator="\n",
    )


def _write(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        writer = _writer(handle)
        writer.fieldnames = columns
        writer.writeheader()
        writer.writerows(rows)
    print(f"{path.name}: {len(rows)} rows")


def _read_geonames(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [dict(zip(GEONAMES, line.rstrip("\n").split("\t"), strict=True)) for line in handle]


def _is_london_borough(row: dict[str, str]) -> bool:
    return row["feature_class"] == "A" and row["feature_code"] == "ADM3" and row["admin2_code"] == "GLA"


def build_places(features: list[dict[str, str]], admin: dict[str, str]) -> list[dict[str, object]]:
    """Return the populated places (and London boroughs), each with its city, district and region."""
    kept = [
        row
        for row in features
        if (row["feature_class"] == "P" and row["feature_code"] not in GONE and row["admin1_code"])
        or _is_london_borough(row)
    ]
    cities = [row for row in kept if int(row["population"] or 0) >= CITY_POPULATION and row["feature_class"] == "P"]
    places = []
    for row in kept:
        lat, lng = float(row["latitude"]), float(row["longitude"])
        part_of = ""
        if row["admin2_code"] == "GLA" and row["name"] != "London":
            part_of = "London"
        elif int(row["population"] or 0) < CITY_POPULATION:
            near = [(_km(lat, lng, float(c["latitude"]), float(c["longitude"])), c["name"]) for c in cities]
            distance, name = min(near)
            if distance <= PART_OF_KM and name != row["name"]:
                part_of = name
        names = [name for name in row["alternate_names"].split(",") if name and len(name) <= 200]
        adm1 = f"GB.{row['admin1_code']}"
        district = admin.get(f"{adm1}.{row['admin2_code']}.{row['admin3_code']}") or admin.get(
            f"{adm1}.{row['admin2_code']}", ""
        )
        if _is_london_borough(row):
            district = "Greater London"
        places.append(
            {
                **{key: row[key] for key in PLACE_COLUMNS if key in row},
                "part_of": part_of,
                "district": district,
                "region": admin.get(adm1, ""),
                "alternate_names": "|".join(names),
            }
        )
    return places


def build_admin_names(features: list[dict[str, str]], admin1_file: Path) -> list[dict[str, object]]:
    """Return the names of first-level divisions (world), GB counties and London boroughs."""
    rows: list[dict[str, object]] = []
    with admin1_file.open(encoding="utf-8") as handle:
        for line in handle:
            code, name, *_rest = line.rstrip("\n").split("\t")
            rows.append({"code": code, "name": name})
    for row in features:
        if row["feature_class"] == "A" and row["feature_code"] == "ADM2":
            rows.append({"code": f"GB.{row['admin1_code']}.{row['admin2_code']}", "name": row["name"]})
        elif _is_london_borough(row):
            code = f"GB.{row['admin1_code']}.{row['admin2_code']}.{row['admin3_code']}"
            rows.append({"code": code, "name": row["name"]})
    return sorted({str(row["code"]): row for row in rows}.values(), key=lambda row: str(row["code"]))


def build_postcodes(
    codepoint_dir: Path, postal_file: Path, places: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Return every GB postcode district and sector with the mean point of its units and its area."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for path in sorted(codepoint_dir.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for code, quality, easting, northing, *_rest in csv.reader(handle):
                compact = code.replace(" ", "").upper()
                match = UNIT.match(compact)
                if quality == "90" or match is None:
                    continue
                lat, lng = grid_to_wgs84(float(easting), float(northing))
                district, sector = match.group(1), f"{match.group(1)} {match.group(2)}"
                for key in (("postcode district", district), ("postcode sector", sector)):
                    total = sums[key]
                    total[0] += lat
                    total[1] += lng
                    total[2] += 1
    with postal_file.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            district = parts[1].strip().upper()
            if ("postcode district", district) in sums or not district.startswith("BT"):
                continue
            sums.setdefault(("postcode district", "NI " + district), [0.0, 0.0, 0])
            total = sums[("postcode district", "NI " + district)]
            total[0] += float(parts[9])
            total[1] += float(parts[10])
            total[2] += 1
    grid: dict[tuple[int, int], list[dict[str, object]]] = defaultdict(list)
    for place in places:
        if place["feature_code"] != "ADM3":
            lat, lng = float(str(place["latitude"])), float(str(place["longitude"]))
            grid[(int(lat * 10), int(lng * 10))].append(place)
    rows = []
    for (kind, code), (lat, lng, count) in sorted(sums.items(), key=lambda item: item[0][1].removeprefix("NI ")):
        lat, lng = lat / count, lng / count
        place = _nearest(grid, lat, lng)
        rows.append(
            {
                "country_code": "GB",
                "postal_code": code.removeprefix("NI "),
                "kind": kind,
                "place_name": place["name"] if place else "",
                "part_of": (place["part_of"] or "") if place else "",
                "district": place["district"] if place else "",
                "region": place["region"] if place else "",
                "latitude": round(lat, 5),
                "longitude": round(lng, 5),
            }
        )
    return rows


def _nearest(
    grid: dict[tuple[int, int], list[dict[str, object]]], lat: float, lng: float
) -> dict[str, object] | None:
    """Return the place nearest the point, preferring places with people (towns over hamlets)."""
    cell = (int(lat * 10), int(lng * 10))
    near = [
        place
        for dlat in (-1, 0, 1)
        for dlng in (-1, 0, 1)
        for place in grid.get((cell[0] + dlat, cell[1] + dlng), [])
    ]
    if not near:
        return None

    def distance(place: dict[str, object]) -> float:
        return _km(lat, lng, float(str(place["latitude"])), float(str(place["longitude"])))

    return min(near, key=distance)


def main(geonames: str, admin1: str, codepoint_dir: str, postal: str) -> None:
    """Write the three files."""
    features = _read_geonames(Path(geonames))
    admin_names = build_admin_names(features, Path(admin1))
    admin = {str(row["code"]): str(row["name"]) for row in admin_names}
    places = build_places(features, admin)
    _write(OUT / "places_gb.tsv.gz", PLACE_COLUMNS, places)
    _write(OUT / "admin1_names.tsv", ["code", "name"], [row for row in admin_names if str(row["code"]).count(".") == 1])
    postcodes = build_postcodes(Path(codepoint_dir), Path(postal), places)
    _write(OUT / "postcodes_gb.tsv.gz", POSTCODE_COLUMNS, postcodes)


if __name__ == "__main__":
    main(*sys.argv[1:5])
