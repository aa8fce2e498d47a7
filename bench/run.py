"""Benchmarks of directus_orm against the raw-httpx floor and the Python peers (issue #7).

    python bench/run.py [--quick] [--reps N] [--only 1,2,...] [--reseed] [--url URL] [--db postgres]

One local Directus 12.4.0 (directus_orm.localserver; SQLite, or PostgreSQL with --db postgres),
one schema, every client in the same
run: each client lives in a persistent worker process (its own venv for the peers) that times
only the client call; for every repetition the driver sends every (workload, client) command,
in an order rotated from one repetition to the next. Results: docs/benchmarks.md,
docs/benchmarks.png and bench/results/<stamp>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
# Run from the repository, the local server harness caches into its .cache folder.
os.environ.setdefault("DIRECTUS_ORM_CACHE", str(ROOT / ".cache"))

import common as c  # noqa: E402
import report  # noqa: E402
import schema  # noqa: E402

CACHE = Path(os.environ.get("DIRECTUS_ORM_CACHE") or ROOT / ".cache").expanduser().absolute()
VENVS = CACHE / "bench-venvs"
SEEDS = CACHE / "bench-seed"
RESULTS = BENCH / "results"
DOCS = ROOT / "docs"
WORKERS = BENCH / "workers"

T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[bench {time.perf_counter() - T0:6.0f}s] {message}", flush=True)


# ------------------------------------------------------------------ virtualenvs


def venv_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for raw in (BENCH / "requirements.txt").read_text().splitlines():
        line = raw.strip()
        if line.startswith("# venv:"):
            current = line.split(":", 1)[1].strip()
            sections[current] = []
        elif line and not line.startswith("#") and current:
            sections[current].append(line)
    return sections


def ensure_venv(name: str, requirements: list[str]) -> tuple[Path | None, str]:
    """The venv's python, creating/updating it when needed; (None, why) when it cannot be."""
    home = VENVS / name
    python = home / "bin" / "python"
    stamp = home / ".bench-requirements"
    want = "\n".join(requirements)
    if python.exists() and stamp.exists() and stamp.read_text() == want:
        return python, ""
    log(f"installing {' '.join(requirements)} into {home}")
    base = getattr(sys, "_base_executable", None) or sys.executable
    try:
        if not python.exists():
            subprocess.run([base, "-m", "venv", str(home)], check=True, capture_output=True,
                           text=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             *requirements],
            check=True, capture_output=True, text=True, timeout=900,
        )
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or exc.stdout or "").strip().splitlines()[-3:]
        return None, f"could not be installed: {' / '.join(tail)[:300]}"
    except Exception as exc:
        return None, f"could not be installed: {exc}"
    stamp.write_text(want)
    return python, ""


# ------------------------------------------------------------------ workers


class Worker:
    """A persistent worker process: one JSON command per line in, one answer per line out."""

    def __init__(self, name: str, python: Path, script: str, log_dir: Path) -> None:
        self.name = name
        self.error = ""
        self.stderr = open(log_dir / f"worker-{name}.log", "w")
        self.proc = subprocess.Popen(
            [str(python), str(WORKERS / script)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            text=True, bufsize=1, cwd=str(ROOT),
        )

    def call(self, op: str, **kwargs: Any) -> dict[str, Any]:
        if self.error:
            return {"ok": False, "error": self.error}
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps({"op": op, **kwargs}) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError) as exc:
            line = ""
            self.error = f"worker died: {exc}"
        if not line:
            self.error = self.error or f"worker exited (code {self.proc.poll()}); see {self.stderr.name}"
            return {"ok": False, "error": self.error}
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.call("quit")
                self.proc.wait(10)
            except Exception:
                self.proc.kill()
        self.stderr.close()


CLIENTS = {
    # name: (venv section or None for the project venv, worker script)
    "floor": (None, "w_floor.py"),
    "directus_orm": (None, "w_orm.py"),
    "py-directus": ("py-directus", "w_py_directus.py"),
    "directus-sdk-py": ("directus-sdk-py", "w_directus_sdk_py.py"),
    "pydirectus-sdk": ("pydirectus-sdk", "w_pydirectus_sdk.py"),
}


# ------------------------------------------------------------------ cases


def cases() -> dict[str, list[dict[str, Any]]]:
    """Every (workload, client, call) measured. The first case of a workload is its floor."""
    w: dict[str, list[dict[str, Any]]] = {
        "1": [
            {"id": "floor", "client": "floor", "call": "raw httpx GET ?limit=-1 + json.loads",
             "op": "read_all", "args": {"variant": "limit-1"}, "floor": True},
            {"id": "floor-paged", "client": "floor",
             "call": "raw httpx GET pages of 1,000 + json.loads",
             "op": "read_all", "args": {"variant": "paged"}},
            {"id": "orm-list", "client": "directus_orm", "call": "list(Article.objects.all())",
             "op": "read_all", "args": {"variant": "list"}},
            {"id": "orm-iterator", "client": "directus_orm", "call": "list(qs.iterator())",
             "op": "read_all", "args": {"variant": "iterator"}},
            {"id": "py-directus", "client": "py-directus",
             "call": "collection(Model).limit(-1).read().items",
             "op": "read_all", "args": {"variant": "models"}},
            {"id": "directus-sdk-py", "client": "directus-sdk-py",
             "call": 'get_items(name, {"query": {"limit": -1}})',
             "op": "read_all", "args": {"variant": "dicts"}},
            {"id": "pydirectus-sdk", "client": "pydirectus-sdk",
             "call": "collection(name).query().limit(-1).fetch()",
             "op": "read_all", "args": {"variant": "dicts"}},
            {"id": "py-directus-paged", "client": "py-directus",
             "call": f"collection(Model).sort(\"id\").limit({c.BATCH}).offset(n).read() loop",
             "op": "read_all", "args": {"variant": "paged"}},
            {"id": "directus-sdk-py-paged", "client": "directus-sdk-py",
             "call": f'get_items(name, {{"query": {{"limit": {c.BATCH}, "offset": n}}}}) loop',
             "op": "read_all", "args": {"variant": "paged"}},
            {"id": "pydirectus-sdk-paged", "client": "pydirectus-sdk", "call": "pages of 1,000",
             "op": "read_all", "args": {"variant": "paged"}},
        ],
        "2": [
            {"id": "floor", "client": "floor", "call": "raw httpx GET filter+fields + json.loads",
             "op": "read_related", "args": {}, "floor": True},
            {"id": "orm", "client": "directus_orm",
             "call": 'filter(views__lt=1000).fields("*", "author.*", "tags.bench_tags_id.*")',
             "op": "read_related", "args": {}},
            {"id": "py-directus", "client": "py-directus",
             "call": "collection(Model).filter(views__lt=1000).fields(...).limit(-1).read().items",
             "op": "read_related", "args": {}},
            {"id": "directus-sdk-py", "client": "directus-sdk-py",
             "call": 'get_items(name, {"query": {filter, fields, limit: -1}})',
             "op": "read_related", "args": {}},
            {"id": "pydirectus-sdk", "client": "pydirectus-sdk",
             "call": 'query([...fields]).filter("views").lt(1000).limit(-1).fetch()',
             "op": "read_related", "args": {}},
        ],
        "3": [
            {"id": "floor", "client": "floor", "call": f"raw httpx POST arrays of {c.BATCH:,}",
             "op": "insert", "args": {"n": c.N_INSERT}, "floor": True, "write": True},
            {"id": "orm-bulk", "client": "directus_orm",
             "call": f"objects.bulk_create(objs, batch_size={c.BATCH:,})",
             "op": "insert", "args": {"variant": "bulk_create", "n": c.N_INSERT}, "write": True},
            {"id": "orm-save", "client": "directus_orm", "call": "for obj in objs: obj.save()",
             "op": "insert", "args": {"variant": "save_loop", "n": c.N_INSERT}, "write": True,
             "expect": c.N_SAVE_LOOP},
            {"id": "py-directus", "client": "py-directus",
             "call": f"collection(name).create(list of {c.BATCH:,}) x10",
             "op": "insert", "args": {"variant": "chunks", "n": c.N_INSERT}, "write": True},
            {"id": "directus-sdk-py", "client": "directus-sdk-py",
             "call": "bulk_insert(name, items)",
             "op": "insert", "args": {"variant": "bulk", "n": c.N_INSERT}, "write": True},
            {"id": "pydirectus-sdk", "client": "pydirectus-sdk",
             "call": f"collection(name).insert(list of {c.BATCH:,}) x10",
             "op": "insert", "args": {"variant": "chunks", "n": c.N_INSERT}, "write": True},
        ],
        "4": [
            {"id": "floor", "client": "floor",
             "call": "raw httpx PATCH {query: {filter, limit: -1}, data}",
             "op": "update", "args": {}, "floor": True, "update": True},
            {"id": "orm", "client": "directus_orm", "call": "filter(published=True).update(score=...)",
             "op": "update", "args": {}, "update": True},
            {"id": "py-directus", "client": "py-directus",
             "call": "read ids, then collection(name).update(ids, data)",
             "op": "update", "args": {}, "update": True},
            {"id": "directus-sdk-py", "client": "directus-sdk-py",
             "call": "read ids, then update_item(name, id, data) per item",
             "op": "update", "args": {}, "update": True, "expect": c.N_UPDATE_LOOP},
            {"id": "pydirectus-sdk", "client": "pydirectus-sdk",
             "call": "read ids, then collection(name).update(ids, items)",
             "op": "update", "args": {}, "update": True, "expect": c.N_UPDATE_LOOP},
        ],
        "7": [
            {"id": "floor", "client": "floor", "call": "raw httpx.AsyncClient, asyncio.gather",
             "op": "concurrent", "args": {"variant": "async"}, "floor": True},
            {"id": "floor-sync", "client": "floor", "call": "raw httpx.Client, sequential",
             "op": "concurrent", "args": {"variant": "sync"}},
            {"id": "orm-async", "client": "directus_orm",
             "call": "AsyncSession: asyncio.gather(*(qs.alist() for qs in queries))",
             "op": "concurrent", "args": {"variant": "async"}},
            {"id": "orm-sync", "client": "directus_orm", "call": "Session: [list(qs) for qs in queries]",
             "op": "concurrent", "args": {"variant": "sync"}},
            {"id": "py-directus", "client": "py-directus",
             "call": "asyncio.gather(*(collection(Model).filter(...).limit(-1).read() ...))",
             "op": "concurrent", "args": {"variant": "async"}},
            {"id": "directus-sdk-py", "client": "directus-sdk-py", "call": "-",
             "na": "sync-only client (requests), no async API"},
            {"id": "pydirectus-sdk", "client": "pydirectus-sdk", "call": "-",
             "na": "sync-only client, no async API"},
        ],
    }
    for workload, items in w.items():
        for case in items:
            case["short"] = SHORT.get((workload, case["id"]), case["client"])
    w["7b"] = [
        {**case, "args": {**case.get("args", {}), "wan": True}} for case in w["7"]
    ]
    return w


SHORT = {
    ("1", "floor"): "floor: limit=-1",
    ("1", "floor-paged"): "floor: pages of 1,000",
    ("1", "orm-list"): "directus_orm: list(qs)",
    ("1", "orm-iterator"): "directus_orm: iterator()",
    ("1", "py-directus"): "py-directus (models)",
    ("1", "directus-sdk-py"): "directus-sdk-py (dicts)",
    ("1", "pydirectus-sdk"): "pydirectus-sdk (dicts)",
    ("1", "py-directus-paged"): "py-directus: pages of 1,000",
    ("1", "directus-sdk-py-paged"): "directus-sdk-py: pages of 1,000",
    ("1", "pydirectus-sdk-paged"): "pydirectus-sdk: pages of 1,000",
    ("2", "floor"): "floor",
    ("2", "orm"): "directus_orm (models)",
    ("2", "py-directus"): "py-directus (models)",
    ("2", "directus-sdk-py"): "directus-sdk-py (dicts)",
    ("2", "pydirectus-sdk"): "pydirectus-sdk (dicts)",
    ("3", "floor"): "floor: POST x1,000",
    ("3", "orm-bulk"): "directus_orm: bulk_create",
    ("3", "orm-save"): "directus_orm: save() loop",
    ("3", "py-directus"): "py-directus: create() chunks",
    ("3", "directus-sdk-py"): "directus-sdk-py: bulk_insert",
    ("3", "pydirectus-sdk"): "pydirectus-sdk: insert() chunks",
    ("4", "floor"): "floor: PATCH by query",
    ("4", "orm"): "directus_orm: qs.update()",
    ("4", "py-directus"): "py-directus: update(ids)",
    ("4", "directus-sdk-py"): "directus-sdk-py: PATCH per item",
    ("4", "pydirectus-sdk"): "pydirectus-sdk: PATCH per item",
    ("7", "floor"): "floor: async gather",
    ("7", "floor-sync"): "floor: sequential",
    ("7", "orm-async"): "directus_orm: async gather",
    ("7", "orm-sync"): "directus_orm: sequential",
    ("7", "py-directus"): "py-directus: async gather",
}


TITLES = {
    "1": f"1. Read all {c.N_ARTICLES:,} articles into objects",
    "2": f"2. Filtered read, author and tags expanded ({c.N_RELATED:,} items)",
    "3": f"3. Bulk insert of {c.N_INSERT:,} items",
    "4": f"4. Update by query ({c.N_UPDATE:,} items)",
    "5": f"5. Client CPU: hydrating a recorded {c.CPU_ITEMS:,}-item response (no network)",
    "6": "6. Memory: peak RSS of a fresh process reading the rows",
    "7": f"7. Concurrency: {c.N_CONCURRENT} different queries ({c.CONCURRENT_SPAN} items each)",
    "7b": f"7b. The same {c.N_CONCURRENT} queries through a proxy adding "
          f"{c.WAN_RTT * 1000:.0f} ms of round trip",
}


# ------------------------------------------------------------------ server and data


def seed_key(database: str) -> str:
    """Changes when anything that shapes the seeded data changes (and only then)."""
    import inspect

    from directus_orm import localserver

    digest = hashlib.sha256()
    for obj in (c.article_row, c.body_text, c.timestamp, c.tag_ids_for, c.mem_row,
                schema.article_fields, schema.create_read_schema, schema.Admin.collection):
        digest.update(inspect.getsource(obj).encode())
    digest.update(repr((c.N_ARTICLES, c.N_AUTHORS, c.N_TAGS, c.N_MEM, c._LOREM)).encode())
    digest.update(localserver.DEFAULT_VERSION.encode())
    return f"{digest.hexdigest()[:16]}-{database}"


def _snapshot_path(database: str) -> Path:
    return SEEDS / (f"{seed_key(database)}.db" if database == "sqlite" else seed_key(database))


def start_server(args: argparse.Namespace) -> tuple[Any, str, str, str]:
    """(server or None, url, email, password)."""
    from directus_orm import localserver

    if args.url:
        return None, args.url, args.email, args.password
    snapshot = _snapshot_path(args.db)
    seed: Path | None = None
    if snapshot.exists() and not args.reseed:
        log(f"starting Directus on the seeded snapshot {snapshot.name}")
        seed = snapshot  # the server starts from a copy of it
    # JSON request logs (pino's own format): the server's time of every request, by timestamp.
    env = {"LOG_STYLE": "raw"}
    if args.max_payload:
        env["MAX_PAYLOAD_SIZE"] = args.max_payload
    server = localserver.LocalDirectus(name="bench", env=env, version=localserver.DEFAULT_VERSION,
                                       database=args.db)
    server.start(seed=seed)
    return server, server.url, server.admin_email, server.admin_password


def save_snapshot(server: Any) -> None:
    """Keep the seeded database for later runs (SQLite: now; PostgreSQL: once it has stopped)."""
    if server is None or server.workdir is None:
        return
    import shutil

    SEEDS.mkdir(parents=True, exist_ok=True)
    target = _snapshot_path(server.database)
    for old in SEEDS.glob(f"*-{server.database}*"):
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()
    if server.database == "postgres":
        if server.running:
            server.pending_snapshot = True  # copied by main() after server.stop()
            return
        shutil.copytree(server.workdir / "pgdata", target, symlinks=True)
        log(f"seeded cluster saved as {target} (next runs skip seeding; --reseed to redo)")
        return
    tmp = target.with_suffix(".tmp")
    src = sqlite3.connect(str(server.workdir / "data.db"))
    dst = sqlite3.connect(str(tmp))
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    tmp.rename(target)
    log(f"seeded database saved as {target} (next runs skip seeding; --reseed to redo)")


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def node_version() -> str:
    try:
        from directus_orm import localserver

        return subprocess.run([str(localserver.node_bin()), "--version"], capture_output=True,
                              text=True, timeout=30).stdout.strip()
    except Exception:
        return "?"


# ------------------------------------------------------------------ the run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 repetitions (default 5)")
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--only", default="1,2,3,4,5,6,7,7b", help="workloads to run, e.g. 1,5")
    parser.add_argument("--reseed", action="store_true", help="seed again instead of the snapshot")
    parser.add_argument("--clients", default="", help="only these clients, e.g. floor,directus_orm")
    parser.add_argument("--max-payload", default="", help="MAX_PAYLOAD_SIZE for the server")
    parser.add_argument("--url", default="", help="use a running Directus instead of starting one")
    parser.add_argument("--db", default=os.environ.get("DIRECTUS_DB") or "sqlite",
                        choices=["sqlite", "postgres"],
                        help="database of the local server (default $DIRECTUS_DB or sqlite); "
                             "a PostgreSQL run writes only bench/results/, not docs/")
    parser.add_argument("--email", default="admin@example.com")
    parser.add_argument("--password", default="dev-Directus-orm-4fJ9q2")
    parser.add_argument("--no-docs", action="store_true", help="write only bench/results/")
    parser.add_argument("--from-results", default="", metavar="JSON",
                        help="only rewrite docs/ from a results file of an earlier run")
    args = parser.parse_args(argv)
    if args.db != "sqlite":
        args.no_docs = True  # docs/benchmarks.md is the SQLite run; PostgreSQL runs stay in results/
    if args.from_results:
        write_docs(Path(args.from_results), venv_sections())
        return 0
    reps = args.reps or (2 if args.quick else 5)
    only = {w.strip() for w in args.only.split(",") if w.strip()}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    run_dir = RESULTS / stamp
    run_dir.mkdir()

    log(f"{reps} repetitions, workloads {','.join(sorted(only))}; logs in {run_dir}")
    sections = venv_sections()
    pythons: dict[str, Path | None] = {}
    install_errors: dict[str, str] = {}
    wanted = {name.strip() for name in args.clients.split(",") if name.strip()} or set(CLIENTS)
    for name, (section, _) in CLIENTS.items():
        if name not in wanted:
            continue
        if section is None:
            pythons[name] = Path(sys.executable)
        else:
            pythons[name], why = ensure_venv(section, sections.get(section, []))
            if why:
                install_errors[name] = why
                log(f"{name}: {why}")

    server, url, email, password = start_server(args)
    from urllib.parse import urlparse

    from latency_proxy import LatencyProxy

    proxy = LatencyProxy(urlparse(url).port or 80, c.WAN_RTT / 2).start()
    workers: dict[str, Worker] = {}
    results: dict[str, Any] = {
        "meta": {
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "reps": reps, "quick": args.quick, "machine": machine(), "node": node_version(),
            "directus": "12.4.0", "database": args.db, "url": url, "load_before": os.getloadavg(),
            "sizes": {k: getattr(c, k) for k in dir(c) if k.startswith("N_")} | {
                "BATCH": c.BATCH, "CPU_ITEMS": c.CPU_ITEMS},
            "install_errors": install_errors, "versions": {}, "features": {}, "functional": {},
            "load": [],
        },
        "titles": TITLES,
        "workloads": {},
    }
    try:
        token = schema.login_token(url, email, password)
        admin = schema.Admin(url, token)
        if schema.read_schema_ready(admin) and not args.reseed:
            log("bench schema and data already there")
            ids = schema.seeded_ids(admin)
        else:
            log(f"creating the schema and seeding {c.N_ARTICLES:,} articles and "
                f"{c.N_MEM:,} rows (not measured; a few minutes the first time)")
            ids = schema.create_read_schema(admin, log)
            save_snapshot(server)
        admin.accountability(c.ARTICLES, "all")

        for name, python in pythons.items():
            if python is None:
                continue
            worker = Worker(name, python, CLIENTS[name][1], run_dir)
            answer = worker.call("setup", url=url, token=token, author_ids=ids["author_ids"],
                                 wan_url=proxy.url)
            if not answer.get("ok"):
                install_errors[name] = f"could not start: {answer.get('error')}"
                log(f"{name}: {install_errors[name]}")
                worker.close()
                continue
            workers[name] = worker
            results["meta"]["versions"][name] = answer.get("versions", {})
            if "features" in answer:
                results["meta"]["features"][name] = answer["features"]
        log("workers: " + ", ".join(
            f"{n} {' '.join(f'{k}={v}' for k, v in results['meta']['versions'][n].items())}"
            for n in workers))

        run_all(args, reps, only, workers, admin, install_errors, results, run_dir, url, token)
    finally:
        for worker in workers.values():
            worker.close()
        proxy.stop()
        if server is not None:
            server.stop()
            log("Directus stopped")
            if getattr(server, "pending_snapshot", False):
                save_snapshot(server)
            attribute_server_time(results, server.log_path)
    results["meta"]["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    results["meta"]["seconds"] = round(time.perf_counter() - T0, 1)
    results["meta"]["load_after"] = os.getloadavg()
    out = RESULTS / f"{stamp}.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    log(f"raw results: {out}")
    if not args.no_docs:
        write_docs(out, sections)
    print(report.summary(results), flush=True)
    return 0


def write_docs(results_path: Path, sections: dict[str, list[str]]) -> None:
    results = json.loads(results_path.read_text())
    DOCS.mkdir(exist_ok=True)
    (DOCS / "benchmarks.md").write_text(report.markdown(results, png_name="benchmarks.png"))
    log(f"wrote {DOCS / 'benchmarks.md'}")
    plot(results_path, DOCS / "benchmarks.png", sections)


def plot(results_path: Path, png: Path, sections: dict[str, list[str]]) -> None:
    python, why = ensure_venv("plot", sections.get("plot", []))
    if python is None:
        log(f"no chart: matplotlib {why}")
        return
    done = subprocess.run([str(python), str(BENCH / "plot.py"), str(results_path), str(png)],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        log(f"chart failed: {done.stderr.strip()[-800:]}")
    else:
        log(f"wrote {png}")


def new_case_result(case: dict[str, Any], install_errors: dict[str, str]) -> dict[str, Any]:
    out = {k: case.get(k) for k in ("id", "client", "call")}
    out.update({"floor": bool(case.get("floor")), "status": "ok", "reason": "", "times": [],
                "items": [], "notes": [], "extrapolated": False, "measured": [], "windows": [],
                "short": case.get("short") or case["id"]})
    if case.get("na"):
        out.update(status="na", reason=case["na"])
    elif case["client"] in install_errors:
        out.update(status="na", reason=install_errors[case["client"]])
    return out


def run_case(case: dict[str, Any], res: dict[str, Any], workers: dict[str, Worker],
             admin: schema.Admin, value: int, tag: str) -> None:
    if res["status"] != "ok":
        return
    worker = workers.get(case["client"])
    if worker is None:
        res.update(status="na", reason="worker not running")
        return
    args = dict(case["args"])
    if case.get("write"):
        schema.reset_write_collection(admin)
    if case.get("update"):
        args["value"] = value  # unique per (repetition, case): the changed rows are counted
    window_start = time.time()
    answer = worker.call(case["op"], **args)
    window = [window_start, time.time()]
    if not answer.get("ok"):
        if answer.get("na"):
            res.update(status="na", reason=answer["error"])
            log(f"  {tag} {case['client']} [{case['id']}]: n/a ({answer['error'][:120]})")
        else:
            res.update(status="error", reason=answer.get("error", "?"))
            log(f"  {tag} {case['client']} [{case['id']}]: ERROR {answer.get('error')}")
        if case.get("write"):
            admin.drop(c.WRITE)
        return
    check = ""
    if case.get("write"):
        rows = admin.count(c.WRITE)
        admin.drop(c.WRITE)
        want = case.get("expect", c.N_INSERT)
        check = f", {rows:,} rows in the table"
        if rows != want:
            res["notes"].append(f"CHECK: {rows} rows written, expected {want}")
    if case.get("update"):
        changed = admin.count(c.ARTICLES, {"score": {"_eq": value}})
        want = case.get("expect", c.N_UPDATE)
        check = f", {changed:,} rows changed"
        if changed != want:
            res["notes"].append(f"CHECK: {changed} rows changed, expected {want}")
    res["times"].append(answer["seconds"])
    res["items"].append(answer.get("items"))
    res["windows"].append(window)
    if answer.get("extrapolated"):
        res["extrapolated"] = True
        res["measured"].append([answer.get("measured_seconds"), answer.get("measured_items")])
    note = answer.get("note")
    if note and note not in res["notes"]:
        res["notes"].append(note)
    extra = " (extrapolated)" if answer.get("extrapolated") else ""
    log(f"  {tag} {case['client']} [{case['id']}]: {answer['seconds']:.3f}s{extra}, "
        f"{answer.get('items')} items{check}")


def run_all(args: argparse.Namespace, reps: int, only: set[str], workers: dict[str, Worker],
            admin: schema.Admin, install_errors: dict[str, str], results: dict[str, Any],
            run_dir: Path, url: str, token: str) -> None:
    plan = {w: cs for w, cs in cases().items() if w in only}
    table: dict[str, list[dict[str, Any]]] = {
        w: [new_case_result(case, install_errors) for case in cs] for w, cs in plan.items()
    }
    results["workloads"] = table
    functional = results["meta"]["functional"]

    # Functional checks, once: each peer's documented "get everything" call, and a single
    # request with every row to insert.
    if "1" in only:
        for name in ("py-directus", "directus-sdk-py", "pydirectus-sdk"):
            if name in workers:
                answer = workers[name].call("read_default")
                functional[f"{name} read"] = answer.get("items", answer.get("error"))
                log(f"functional: {name} documented read returns {functional[f'{name} read']} items")
    if "3" in only:
        for name in ("py-directus", "directus-sdk-py"):
            if name in workers:
                schema.reset_write_collection(admin)
                answer = workers[name].call("insert", variant="single_call", n=c.N_INSERT)
                functional[f"{name} insert"] = answer.get("error") or "ok"
                log(f"functional: {name} one-call insert: {functional[f'{name} insert'][:150]}")
        admin.drop(c.WRITE)

    # Warm-up: one untimed pass of the reads (connections, server caches, imports).
    warm = [(w, case) for w in ("1", "2", "7", "7b") if w in plan for case in plan[w]
            if not case.get("na") and case["client"] in workers]
    if warm:
        log("warm-up pass (not recorded)")
        for _, case in warm:
            workers[case["client"]].call(case["op"], **case["args"])

    body_path = run_dir / "cpu_body.json"
    if "5" in only:
        import httpx

        response = httpx.get(f"{url}/items/{c.ARTICLES}", params={"limit": str(c.CPU_ITEMS),
                             "sort": "id"}, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        response.raise_for_status()
        body_path.write_bytes(response.content)
        results["cpu"] = {"bytes": len(response.content), "items": c.CPU_ITEMS, "variants": {}}
    if "6" in only:
        results["memory"] = {"runs": []}

    for rep in range(reps):
        log(f"=== repetition {rep + 1}/{reps} (load {os.getloadavg()[0]:.2f})")
        results["meta"]["load"].append(os.getloadavg())
        for w, cs in plan.items():
            order = list(range(len(cs)))
            shift = rep % len(order)
            order = order[shift:] + order[:shift]
            for index in order:
                run_case(cs[index], table[w][index], workers, admin, 1000 * (rep + 1) + index,
                         f"W{w} r{rep + 1}")
        if "5" in only:
            rounds, loops = (40, 1) if args.quick else (60, 1)
            for name in ("directus_orm", "py-directus"):
                if name not in workers:
                    continue
                answer = workers[name].call("cpu", body_path=str(body_path), rounds=rounds,
                                            loops=loops)
                if not answer.get("ok"):
                    log(f"  W5 {name}: ERROR {answer.get('error')}")
                    continue
                results["cpu"].setdefault("items_of", {}).update(answer.get("items_of") or {})
                for variant, times in answer["variants"].items():
                    results["cpu"]["variants"].setdefault(variant, []).extend(times)
                    per = (answer.get("items_of") or {}).get(variant, c.CPU_ITEMS)
                    log(f"  W5 r{rep + 1} {variant}: best {min(times) * 1e6 / per:.2f} us/item")
        if "6" in only and rep < (1 if args.quick else 3):
            memory_rep(results, url, token, rep)


MEMORY_VARIANTS = [
    ("orm_iterator", c.N_MEM), ("orm_iterator", c.N_MEM_SMALL), ("orm_list", c.N_MEM),
    ("floor_paged", c.N_MEM), ("floor_all", c.N_MEM),
]


def memory_rep(results: dict[str, Any], url: str, token: str, rep: int) -> None:
    order = MEMORY_VARIANTS[rep % len(MEMORY_VARIANTS):] + MEMORY_VARIANTS[: rep % len(MEMORY_VARIANTS)]
    for variant, n in order:
        done = subprocess.run(
            [sys.executable, str(BENCH / "memory_child.py"), url, token, variant, str(n)],
            capture_output=True, text=True, timeout=600, cwd=str(ROOT),
        )
        if done.returncode != 0:
            log(f"  W6 {variant} {n}: ERROR {done.stderr.strip()[-400:]}")
            results["memory"]["runs"].append({"variant": variant, "n": n, "error": done.stderr[-400:]})
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        results["memory"]["runs"].append(row)
        if "error" in row:
            log(f"  W6 {variant} {n}: ERROR {row['error']}")
            continue
        log(f"  W6 r{rep + 1} {variant} n={n:,}: peak {row['peak_mb']:.1f} MB "
            f"(baseline {row['baseline_mb']:.1f} MB), {row['seconds']:.2f}s, {row['items']:,} items")


def attribute_server_time(results: dict[str, Any], log_path: Path) -> None:
    """Sum the server's own time (its request log) of the requests made during each timed call."""
    requests: list[tuple[float, float, str]] = []
    try:
        for line in log_path.read_text(errors="replace").splitlines():
            if not line.startswith("{") or '"responseTime"' not in line:
                continue
            try:
                entry = json.loads(line)
                req = entry.get("req") or {}
                if (req.get("headers") or {}).get("user-agent") == schema.ADMIN_AGENT:
                    continue
                requests.append((entry["time"] / 1000, entry["responseTime"] / 1000,
                                 f"{req.get('method')} {str(req.get('url', '')).split('?')[0]}"))
            except (ValueError, KeyError, TypeError):
                continue
    except OSError:
        return
    requests.sort()
    times = [r[0] for r in requests]
    import bisect

    # The server logs a request when its response has finished, which can be a little after
    # the client has read it: a window reaches up to 0.5 s past its end, never into the next.
    starts = sorted(w[0] for cases_ in results.get("workloads", {}).values()
                    for case in cases_ for w in case.get("windows", []))
    for cases_ in results.get("workloads", {}).values():
        for case in cases_:
            server, counts = [], []
            for start, end in case.get("windows", []):
                following = starts[bisect.bisect_right(starts, start):]
                end = min(end + 0.5, following[0] if following else end + 0.5)
                lo, hi = bisect.bisect_left(times, start), bisect.bisect_right(times, end)
                server.append(sum(r[1] for r in requests[lo:hi]))
                counts.append(hi - lo)
            case["server"] = server
            case["requests"] = counts
    results["meta"]["server_log_requests"] = len(requests)


def median(values: list[float]) -> float:
    return statistics.median(values)


if __name__ == "__main__":
    sys.exit(main())
