"""The visitor's payer picker with a clearinghouse-sized payer list (issue 15).

Imports a 3,500-payer list in Stedi's List Payers JSON shape with ``flask payers import``,
then times the picker's search (``GET /api/v1/payers?q=``, verifier/api/payers.py) and the
Verify Online page (which lists every payer in its <select>) against the shipped directory
(14 real payers and 3 sandbox ones) in the same run. The goal: a search answers in < 50 ms.

    .venv/bin/python bench/payer_picker.py [--payers 3500] [--rounds 30]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import Settings  # noqa: E402
from verifier import create_app  # noqa: E402
from verifier.store.crypto import generate_key_spec  # noqa: E402
from verifier.store.migrate import upgrade  # noqa: E402

QUERIES = ["blue", "aetna", "medicaid", "united", "bcbs", "health plan of", "zzz-none", "6"]
STATES = [
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa",
    "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan",
    "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire",
    "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota",
    "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington", "West Virginia",
    "Wisconsin", "Wyoming",
]
KINDS = [
    "Blue Cross Blue Shield of {s}", "{s} Medicaid", "{w} Health Plan of {s}",
    "{w} Behavioral Health", "{w} Administrators", "{w} Benefit Services ({s})",
    "UnitedHealthcare Community Plan of {s}", "Aetna Better Health of {s}", "{w} Care {s}",
]
WORDS = [
    "Summit", "Prairie", "Harbor", "Keystone", "Cascade", "Liberty", "Pioneer", "Beacon",
    "Evergreen", "Heritage", "Meridian", "Sentinel", "Granite", "Lakeshore", "Redwood",
    "Horizon", "Frontier", "Magnolia", "Sierra", "Coastal", "Allied", "Trinity", "Unity",
]


def payer_list(count: int) -> dict[str, Any]:
    """A Stedi-shaped export with plausible names, ids and aliases (deterministic)."""
    rng = random.Random(15)
    items, seen = [], set()
    while len(items) < count:
        name = rng.choice(KINDS).format(s=rng.choice(STATES), w=rng.choice(WORDS))
        payer_id = f"{rng.randrange(10000, 99999)}"
        if payer_id in seen:
            continue
        seen.add(payer_id)
        aliases = [payer_id, f"{rng.choice(WORDS).upper()}{rng.randrange(100, 999)}"]
        items.append(
            {
                "stediId": "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5)),
                "displayName": name,
                "primaryPayerId": payer_id,
                "aliases": aliases,
                "names": [name.upper()],
                "transactionSupport": {"eligibilityCheck": "SUPPORTED"},
            }
        )
    return {"items": items}


def make(scratch: Path, name: str) -> Any:
    folder = scratch / name
    folder.mkdir()
    shutil.copy(ROOT / "config" / "payers.toml", folder / "payers.toml")
    env = {
        "VERIFIER_ENV": "development",
        "DATABASE_URL": f"sqlite:///{folder / 'verifier.db'}",
        "REDIS_URL": "redis://127.0.0.1:6399/0",  # never contacted by these pages
        "VERIFIER_DATA_KEY": generate_key_spec("bench"),
        "SECRET_KEY": "bench",
        "VERIFIER_QUEUE_PREFIX": f"bench-{name}",
        "VERIFIER_PAYERS_FILE": str(folder / "payers.toml"),
        "LOG_LEVEL": "WARNING",
    }
    upgrade(env["DATABASE_URL"])
    return env, folder


def timed(client: Any, url: str, rounds: int) -> list[float]:
    client.get(url)  # warm
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payers", type=int, default=3500)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        small_env, _ = make(scratch, "shipped")
        large_env, folder = make(scratch, "imported")
        export = folder / "stedi-payers.json"
        export.write_text(json.dumps(payer_list(args.payers)))
        started = time.perf_counter()
        result = create_app(Settings.from_env(large_env)).test_cli_runner().invoke(
            args=["payers", "import", str(export), "--connection", "clearinghouse"]
        )
        imported = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        print(result.output.strip())
        small = create_app(Settings.from_env(small_env))
        started = time.perf_counter()
        large = create_app(Settings.from_env(large_env))
        with large.app_context():
            entries = len(large.extensions["verifier"].directory.entries)
        loaded = time.perf_counter() - started
        with small.app_context():
            baseline_entries = len(small.extensions["verifier"].directory.entries)
        print(f"import: {imported * 1000:.0f} ms; directory load ({entries} payers): "
              f"{loaded * 1000:.0f} ms")
        print(f"{'query':<18}{'shipped ms':>12}{'3,500 ms':>12}{'ratio':>8}{'matches':>9}")
        medians = []
        for query in QUERIES:
            url = f"/api/v1/payers?q={query.replace(' ', '+')}"
            base = statistics.median(timed(small.test_client(), url, args.rounds))
            big_samples = timed(large.test_client(), url, args.rounds)
            big = statistics.median(big_samples)
            matches = len(large.test_client().get(url).get_json())
            medians.append((base, big, max(big_samples)))
            print(f"{query!r:<18}{base:>12.2f}{big:>12.2f}{big / base:>8.1f}{matches:>9}")
        worst = max(m[2] for m in medians)
        base_all = statistics.median(m[0] for m in medians)
        big_all = statistics.median(m[1] for m in medians)
        print(f"search median: shipped {base_all:.2f} ms ({baseline_entries} payers), "
              f"imported {big_all:.2f} ms ({entries} payers), ratio {big_all / base_all:.1f}; "
              f"slowest single search {worst:.1f} ms (goal < 50 ms)")
        page_base = statistics.median(timed(small.test_client(), "/verify", 10))
        page_big = statistics.median(timed(large.test_client(), "/verify", 10))
        print(f"Verify Online page: shipped {page_base:.1f} ms, imported {page_big:.1f} ms, "
              f"ratio {page_big / page_base:.1f}")


if __name__ == "__main__":
    main()
