"""Time searches that repeat filter codes and keywords, in-process, and print each one's status and median.

    python benchmarks/query_caps.py [--locations 20000] [--queries 20] [--sqlite FILE] [--postgres URL]

On N synthetic listings (built or reused as by benchmarks/search.py), each case is one URL around
London, sent once untimed and then `--queries` times. It shows what one client can make a single
request cost: `attribute=free,free,...` (780 codes), 20 or 21 different codes, and keyword searches
of many words. Run it on a checkout before and after a change to compare (only HTTP is used).
"""

from __future__ import annotations

import argparse
import statistics
import time

from search import add_database_options, prepare_databases

from services_api import create_app

CODES = [
    "anonymous",
    "free",
    "interpreters",
    "no-id-required",
    "no-immigration-checks",
    "no-mandatory-testing",
    "no-police-sharing",
    "outreach",
    "peer-led",
    "phone-online",
    "trans-inclusive",
    "walk-in",
    "wheelchair-accessible",
    "women-only",
    "health",
    "housing",
    "legal",
    "hiv",
    "refuge",
    "sexual-health",
    "mental-health",
]
WORDS = [chr(97 + index // 26) + chr(97 + index % 26) for index in range(66)]
PLACE = "/api/v1/services?near=London&per_page=50"
CASES = {
    "plain search near London": PLACE,
    "attribute=free": f"{PLACE}&attribute=free",
    "attribute=free x780": f"{PLACE}&attribute={','.join(['free'] * 780)}",
    "20 different attribute codes": f"{PLACE}&attribute={','.join(CODES[:20])}",
    "21 different attribute codes": f"{PLACE}&attribute={','.join(CODES[:21])}",
    "search=a x100": "/api/v1/services?per_page=50&search=" + "+".join(["a"] * 100),
    "search of 10 different words": "/api/v1/services?per_page=50&search=" + "+".join(WORDS[:10]),
    "search of 66 different words": "/api/v1/services?per_page=50&search=" + "+".join(WORDS),
}


def main() -> None:
    """Prepare the database, time every case, print status codes and medians."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_options(parser, locations=20_000, queries=20)
    options = parser.parse_args()
    for name, url in prepare_databases(options).items():
        client = create_app({"APP_ENV": "testing", "DATABASE_URL": url}).test_client()
        print(f"\n{name}, {options.locations:,} synthetic listings, median of {options.queries} requests")
        print(f"{'case':<32}{'status':>8}{'ms':>10}")
        for case, path in CASES.items():
            status = client.get(path).status_code
            timings = []
            for _ in range(options.queries):
                started = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            print(f"{case:<32}{status:>8}{statistics.median(timings):>10.1f}")


if __name__ == "__main__":
    main()
