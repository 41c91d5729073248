"""How fast `leadrelay import --store-only` takes in a large CSV file, and in how much memory.

Writes a fair's list as an office saves it (Turkish headers, `;`, phones written five ways,
budgets as text, a share of people twice and of rows without any contact), then runs
`python -m leadrelay.cli import FILE --source website --store-only` on a fresh migrated
database, once for each --rows, and prints the rows per second and the process's peak
resident memory (its own rusage, from os.wait4). Memory bounded by the batch, not the file,
shows as the same peak for a file ten times larger.

    python bench/import_csv.py [--rows 5000 50000] [--database sqlite]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_database, bench_parser, check_database, run_bench
from bench.kit.database import engine_at, workspace
from bench.kit.figures import print_header, print_load_after, print_table, safe_url
from bench.kit.office import write_office
from storage.migrate import upgrade

HEADERS = "Ad Soyad;Cep Telefonu;E-posta;İl;İlçe;Bütçe;Not;Sektör"
_NAMES = ["Ayşe Yılmaz", "Çağrı Öztürk", "İpek Işık", "Şükrü Ünal", "Gül Doğan", "Ömer Kaya"]
_PLACES = [("İstanbul", "Kadıköy"), ("Bursa", "Nilüfer"), ("İzmir", "Karşıyaka"),
           ("Ankara", "Çankaya"), ("Antalya", "")]
_BUDGETS = ["3-5 milyon", "2.500.000", "4,5 milyon TL", "", "750 bin"]


def written(number: int, way: int) -> str:
    """A mobile number (532 and seven digits) the way people write it, five ways."""
    digits = f"532{number:07d}"
    return [f"0{digits}", f"+90 {digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}",
            digits, f"0 ({digits[:3]}) {digits[3:6]}-{digits[6:]}",
            f"90{digits}"][way % 5]


def write_list(path: Path, rows: int, *, seed: int = 17) -> tuple[int, int]:
    """Write *rows* rows to *path*; return (people twice, rows without contact)."""
    pick = random.Random(seed)
    twice = blank = 0
    met: list[int] = []
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADERS + "\r\n")
        for n in range(rows):
            name = pick.choice(_NAMES)
            city, district = pick.choice(_PLACES)
            roll = pick.random()
            if roll < 0.02:
                phone = email = ""
                blank += 1
            elif roll < 0.07 and met:
                person = pick.choice(met)  # someone met before, written another way
                phone, email = written(person, n), ""
                twice += 1
            else:
                phone, email = written(n, n), f"kisi{n}@example.com" if n % 3 == 0 else ""
                met.append(n)
            note = '"Deniz manzarası; acil"' if n % 7 == 0 else ""
            out.write(f"{name};{phone};{email};{city};{district};{pick.choice(_BUDGETS)};"
                      f"{note};{'Emlak' if n % 2 else ''}\r\n")
    return twice, blank


async def run(args: argparse.Namespace) -> int:
    """Write each list, import it into a fresh database, print the figures."""
    print_header()
    table = [("rows", "file MiB", "seconds", "CPU s", "rows/s", "peak RSS MiB", "new", "twice",
              "rejected")]
    for rows in args.rows:
        async with workspace(args.database, prefix="leadrelay-bench-import-") as (tmp, db):
            print(f"database  : {safe_url(db.url)}")
            async with engine_at(db.url) as engine:
                await upgrade(engine)
            config = write_office(tmp / "office.yaml")
            path = tmp / "fuar.csv"
            twice, blank = write_list(path, rows)
            took, cpu, peak, out = _import(path, config, db.url)
            counts = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
            new = counts["new leads"]
            dupes = counts.get("duplicates in the file, not stored again", "0").split()[0]
            rejected = counts["rejected"]
            if (int(new), int(dupes), int(rejected)) != (rows - twice - blank, twice, blank):
                print(f"expected {twice} twice and {blank} rejected:\n{out}")
                return 1
            table.append((f"{rows:,}", f"{path.stat().st_size / 2**20:.1f}", f"{took:.1f}",
                          f"{cpu:.1f}", f"{rows / took:,.0f}", f"{peak:.0f}", new, dupes, rejected))
    print_table("leadrelay import --store-only (the whole command: start, read, store):",
                table)
    print_load_after()
    return 0


def _import(path: Path, config: Path, url: str) -> tuple[float, float, float, str]:
    """Run the command; its seconds, its CPU seconds (user and system: on a machine other
    work loads, a steadier figure than the seconds), its peak RSS in MiB, and its report."""
    env = {**os.environ, "DATABASE_URL": url, "LEADRELAY_CONFIG": str(config)}
    started = time.perf_counter()
    with subprocess.Popen(
            [sys.executable, "-m", "leadrelay.cli", "import", str(path), "--source",
             "website", "--store-only"], env=env, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"leadrelay import exited with {child.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return took, cpu, usage.ru_maxrss / 1024, out  # ru_maxrss is in KiB on Linux


def parse_args() -> argparse.Namespace:
    """The bench's flags."""
    parser = bench_parser(__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[5000, 50_000],
                        help="rows of each file imported (default: 5000 50000)")
    add_database(parser)
    args = parser.parse_args()
    check_database(parser, args.database)
    return args


def main() -> None:
    """Run the bench."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
