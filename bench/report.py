"""Turns a results JSON into docs/benchmarks.md and a console summary. Standard library only."""

from __future__ import annotations

import statistics
from typing import Any

import common as c

TARGET_READ = 1.10
TARGET_CPU = 1.5
TARGET_BULK = 1.10
TARGET_LOOP = 20.0
TARGET_MEM_MB = 20.0
TARGET_ASYNC = 3.0


def stats(case: dict[str, Any]) -> dict[str, float] | None:
    times = case.get("times") or []
    if case.get("status") != "ok" or not times:
        return None
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "n": len(times)}


def split(case: dict[str, Any]) -> dict[str, Any] | None:
    """Median server time (from its request log) and client time (wall minus server).

    ``overlap`` when the requests ran concurrently (their server times add up to more than
    the wall time); extrapolated cases are scaled like their wall time.
    """
    times = case.get("times") or []
    server = case.get("server") or []
    if case.get("status") != "ok" or not times or len(server) != len(times):
        return None
    measured = case.get("measured") or []
    scaled = []
    for i, (wall, srv) in enumerate(zip(times, server, strict=False)):
        if case.get("extrapolated") and i < len(measured) and measured[i][0]:
            srv = srv * wall / measured[i][0]
        scaled.append((wall, srv))
    overlap = any(srv > wall * 1.05 for wall, srv in scaled)
    return {
        "server": statistics.median(srv for _, srv in scaled),
        "client": statistics.median(wall - srv for wall, srv in scaled),
        "requests": statistics.median(case.get("requests") or [0]),
        "overlap": overlap,
    }


def floor_of(cases: list[dict[str, Any]]) -> dict[str, float] | None:
    for case in cases:
        if case.get("floor"):
            return stats(case)
    return None


def case_by_id(results: dict[str, Any], workload: str, case_id: str) -> dict[str, Any] | None:
    for case in results.get("workloads", {}).get(workload, []):
        if case["id"] == case_id:
            return case
    return None


def ratio(results: dict[str, Any], workload: str, case_id: str) -> float | None:
    cases = results.get("workloads", {}).get(workload, [])
    case = case_by_id(results, workload, case_id)
    floor = floor_of(cases)
    st = stats(case) if case else None
    if not st or not floor:
        return None
    return st["median"] / floor["median"]


def ratio_best(results: dict[str, Any], workload: str, case_id: str) -> float | None:
    cases = results.get("workloads", {}).get(workload, [])
    case = case_by_id(results, workload, case_id)
    floor = floor_of(cases)
    st = stats(case) if case else None
    if not st or not floor:
        return None
    return st["min"] / floor["min"]


def cpu_table(results: dict[str, Any]) -> list[dict[str, Any]]:
    cpu = results.get("cpu") or {}
    items = cpu.get("items") or c.CPU_ITEMS
    items_of = cpu.get("items_of") or {}
    rows = []
    for name, times in (cpu.get("variants") or {}).items():
        if times:
            n = items_of.get(name, items)
            rows.append({"variant": name, "best": min(times) / n * 1e6, "items": n,
                         "median": statistics.median(times) / n * 1e6, "n": len(times)})
    rows.sort(key=lambda row: row["items"])  # stable: the 1,000-item rows first
    return rows


def cpu_best(results: dict[str, Any], name: str) -> float | None:
    for row in cpu_table(results):
        if row["variant"] == name:
            return float(row["best"])
    return None


def memory_table(results: dict[str, Any]) -> list[dict[str, Any]]:
    runs = (results.get("memory") or {}).get("runs") or []
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for run in runs:
        if "error" in run:
            continue
        groups.setdefault((run["variant"], run["n"]), []).append(run)
    rows = []
    for (variant, n), rs in groups.items():
        peaks = [r["peak_mb"] for r in rs]
        rows.append({
            "variant": variant, "n": n, "peak": statistics.median(peaks), "min": min(peaks),
            "max": max(peaks), "baseline": statistics.median(r["baseline_mb"] for r in rs),
            "growth": statistics.median(r["peak_mb"] - r["baseline_mb"] for r in rs),
            "seconds": statistics.median(r["seconds"] for r in rs), "runs": len(rs),
            "items": rs[0]["items"],
            "process": statistics.median(r.get("process_peak_mb", 0.0) for r in rs),
        })
    return rows


def memory_peak(results: dict[str, Any], variant: str, n: int) -> float | None:
    for row in memory_table(results):
        if row["variant"] == variant and row["n"] == n:
            return float(row["peak"])
    return None


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, with the measured value and whether it is met (None: not measured)."""
    out: list[dict[str, Any]] = []

    def add(name: str, measured: str, ok: bool | None, detail: str = "") -> None:
        out.append({"target": name, "measured": measured, "ok": ok, "detail": detail})

    for case_id, label in (("orm-list", "list(qs)"), ("orm-iterator", "iterator()")):
        r = ratio(results, "1", case_id)
        rb = ratio_best(results, "1", case_id)
        detail = ""
        case = case_by_id(results, "1", case_id)
        floor_case = case_by_id(results, "1", "floor")
        sp, fsp = (split(case) if case else None), (split(floor_case) if floor_case else None)
        if sp and fsp and fsp["client"] > 0:
            detail = (f"client-side {sp['client']:.2f}s vs the floor's {fsp['client']:.2f}s; "
                      f"server {sp['server']:.2f}s vs {fsp['server']:.2f}s")
        paged = case_by_id(results, "1", "floor-paged")
        if case_id == "orm-iterator" and paged and stats(paged) and case and stats(case):
            detail += (f"; vs the floor's own pages of 1,000: "
                       f"{stats(case)['median'] / stats(paged)['median']:.2f}x")
        add(f"Read everything, {label}: within {TARGET_READ:.2f}x the floor",
            f"{r:.2f}x median ({rb:.2f}x best-of)" if r and rb else "not measured",
            r <= TARGET_READ if r else None, detail)
    orm = case_by_id(results, "1", "orm-list")
    orm_st = stats(orm) if orm else None
    peers = [case for case in results.get("workloads", {}).get("1", [])
             if case["client"] not in ("floor", "directus_orm") and not case["id"].endswith("-paged")]
    peer_st = [(case["client"], stats(case)) for case in peers]
    measured_peers = [(n, s) for n, s in peer_st if s]
    if orm_st and measured_peers:
        slower = [n for n, s in measured_peers if s["median"] <= orm_st["median"]]
        best_peer = min(measured_peers, key=lambda p: p[1]["median"])
        add("Read everything: faster than every peer",
            f"list(qs) {orm_st['median']:.3f}s vs fastest peer {best_peer[0]} "
            f"{best_peer[1]['median']:.3f}s",
            not slower, ("not faster than: " + ", ".join(slower)) if slower else "")
    else:
        add("Read everything: faster than every peer", "not measured", None)

    validate = cpu_best(results, "pydantic validate_json")
    for name in ("orm QuerySet, no network", "orm hydration core"):
        value = cpu_best(results, name)
        if value and validate:
            r = value / validate
            add(f"Client CPU per item ({name}): within {TARGET_CPU}x pydantic validate_json",
                f"{r:.2f}x ({value:.2f} vs {validate:.2f} us/item)", r <= TARGET_CPU)
        else:
            add(f"Client CPU per item ({name}): within {TARGET_CPU}x pydantic validate_json",
                "not measured", None)

    bulk = case_by_id(results, "3", "orm-bulk")
    r = ratio(results, "3", "orm-bulk")
    if r:
        rb = ratio_best(results, "3", "orm-bulk")
        add(f"bulk_create: within {TARGET_BULK:.2f}x the floor's batched POST",
            f"{r:.2f}x median ({rb:.2f}x best-of)", r <= TARGET_BULK)
    else:
        why = bulk.get("reason") if bulk else "not measured"
        add(f"bulk_create: within {TARGET_BULK:.2f}x the floor's batched POST", why or "not measured",
            None)
    save = case_by_id(results, "3", "orm-save")
    bulk_st = stats(bulk) if bulk else None
    save_st = stats(save) if save else None
    if bulk_st and save_st:
        speedup = save_st["median"] / bulk_st["median"]
        add(f"bulk_create: at least {TARGET_LOOP:g}x faster than a per-item save() loop",
            f"{speedup:.1f}x (loop extrapolated from {c.N_SAVE_LOOP} items)", speedup >= TARGET_LOOP)
    else:
        reason = (save or {}).get("reason") or (bulk or {}).get("reason") or "not measured"
        add(f"bulk_create: at least {TARGET_LOOP:g}x faster than a per-item save() loop", reason, None)

    big = memory_peak(results, "orm_iterator", c.N_MEM)
    small = memory_peak(results, "orm_iterator", c.N_MEM_SMALL)
    if big is not None and small is not None:
        add(f"iterator() peak memory at {c.N_MEM:,} within {TARGET_MEM_MB:g} MB of {c.N_MEM_SMALL:,}",
            f"{big - small:+.1f} MB ({small:.1f} -> {big:.1f} MB peak RSS)",
            big - small <= TARGET_MEM_MB)
    else:
        add(f"iterator() peak memory at {c.N_MEM:,} within {TARGET_MEM_MB:g} MB of {c.N_MEM_SMALL:,}",
            "not measured", None)

    sync = case_by_id(results, "7", "orm-sync")
    asy = case_by_id(results, "7", "orm-async")
    sync_st, asy_st = (stats(sync) if sync else None), (stats(asy) if asy else None)
    if sync_st and asy_st:
        speedup = sync_st["median"] / asy_st["median"]
        wan_sync, wan_async = case_by_id(results, "7b", "orm-sync"), case_by_id(results, "7b", "orm-async")
        ws, wa = (stats(wan_sync) if wan_sync else None), (stats(wan_async) if wan_async else None)
        detail = (f"through the {c.WAN_RTT * 1000:.0f} ms round-trip proxy (7b): "
                  f"{ws['median'] / wa['median']:.2f}x") if ws and wa else ""
        add(f"Async: {c.N_CONCURRENT} queries at least {TARGET_ASYNC:g}x faster than sequential",
            f"{speedup:.2f}x on loopback", speedup >= TARGET_ASYNC, detail)
    else:
        add(f"Async: {c.N_CONCURRENT} queries at least {TARGET_ASYNC:g}x faster than sequential",
            "not measured", None)
    return out


def _mark(ok: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "n/a"}[ok]


def _fmt_s(value: float) -> str:
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _versions(meta: dict[str, Any]) -> list[str]:
    lines = []
    for client, versions in meta.get("versions", {}).items():
        lines.append(f"- {client}: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    for client, why in meta.get("install_errors", {}).items():
        lines.append(f"- {client}: **{why}**")
    return lines


def workload_table(results: dict[str, Any], workload: str) -> list[str]:
    cases = results["workloads"].get(workload, [])
    floor = floor_of(cases)
    has_server = any(case.get("server") for case in cases)
    lines = [
        "| client | call | median s | min-max s | x floor (median) | x floor (best) | "
        + ("server s | client s | requests | " if has_server else "") + "items | notes |",
        "|---|---|---:|---:|---:|---:|" + ("---:|---:|---:|" if has_server else "") + "---:|---|",
    ]
    for case in cases:
        st = stats(case)
        client = case["client"] + (" (floor)" if case.get("floor") else "")
        call = f"`{case['call']}`" if case.get("call") not in (None, "-") else "-"
        if st is None:
            status = case.get("status")
            what = "n/a" if status == "na" else "error"
            reason = _cell(case.get("reason") or "")
            blanks = " | " * (8 if has_server else 5)
            lines.append(f"| {client} | {_cell(call)} | **{what}** ({reason}){blanks}|")
            continue
        r = f"{st['median'] / floor['median']:.2f}x" if floor else "-"
        rb = f"{st['min'] / floor['min']:.2f}x" if floor else "-"
        items = case.get("items") or []
        shown = items[-1] if items else ""
        shown_text = f"{shown:,}" if isinstance(shown, int) else str(shown)
        notes = list(case.get("notes") or [])
        if case.get("extrapolated"):
            notes.insert(0, "**extrapolated**")
        server = ""
        if has_server:
            sp = split(case)
            if sp is None:
                server = " | | | "
            elif sp["overlap"]:
                server = f"(concurrent: {_fmt_s(sp['server'])} summed) | - | {sp['requests']:g} | "
            else:
                approx = "~" if case.get("extrapolated") else ""
                server = (f"{approx}{_fmt_s(sp['server'])} | {approx}{_fmt_s(sp['client'])} | "
                          f"{sp['requests']:g} | ")
        lines.append(
            f"| {client} | {_cell(call)} | {_fmt_s(st['median'])} | "
            f"{_fmt_s(st['min'])}-{_fmt_s(st['max'])} | {r} | {rb} | {server}{shown_text} | "
            f"{_cell('; '.join(notes))} |"
        )
    return lines


def markdown(results: dict[str, Any], png_name: str) -> str:
    meta = results["meta"]
    titles = results.get("titles", {})
    m = meta.get("machine", {})
    lines: list[str] = [
        "# Benchmarks",
        "",
        "directus_orm against the raw-HTTP floor and the Python peers, on one real local Directus, "
        "every client in the same run. Generated by `bench/run.py` (`make bench`, or "
        "`scripts/dev.sh bench [--quick]`); do not edit by hand.",
        "",
        f"- Date: {meta.get('started')} to {meta.get('finished')} ({meta.get('seconds')} s in all); "
        f"{meta.get('reps')} interleaved repetitions{' (--quick)' if meta.get('quick') else ''}, "
        "after one untimed warm-up pass of the reads.",
        f"- Machine: {m.get('cpu', '?')}, {m.get('cpus')} CPUs, {m.get('memory_gb')} GB, "
        f"{m.get('platform')}. Server and clients share it. Load average (1 min) at the start "
        f"of each repetition: {', '.join(f'{x[0]:.2f}' for x in meta.get('load', []))}.",
        f"- Server: Directus {meta.get('directus')} on SQLite, Node {meta.get('node')}, default "
        "settings (MAX_PAYLOAD_SIZE 1 MB, no rate limit); collections use the default "
        "accountability (`all`: activity and revision rows on every write).",
        "- Clients:",
        *[f"  {line}" for line in _versions(meta)],
        "",
        f"![benchmark chart]({png_name})",
        "",
        "The headline figures are **ratios** to the floor measured in the same run: absolute "
        "times move with the load of the machine, ratios much less. `server s` is the server's "
        "own time for the requests of the call (summed from its request log, `LOG_STYLE=raw`); "
        "`client s` is the rest of the wall time: the client's own work plus the transfer. "
        "On this loopback most of every read and write is the server's.",
        "",
        "## Targets (issue #7)",
        "",
        "| target | measured | status |",
        "|---|---|---|",
    ]
    for t in targets(results):
        detail = f" ({t['detail']})" if t["detail"] else ""
        lines.append(f"| {_cell(t['target'])} | {_cell(t['measured'] + detail)} | {_mark(t['ok'])} |")
    lines.append("")

    for workload in ("1", "2", "3", "4", "5", "6", "7", "7b"):
        if workload == "5":
            lines += _cpu_section(results)
            continue
        if workload == "6":
            lines += _memory_section(results)
            continue
        if workload not in results["workloads"]:
            continue
        lines += [f"## {titles.get(workload, workload)}", ""]
        lines += _workload_intro(workload)
        lines += workload_table(results, workload)
        lines.append("")
        if workload.startswith("7"):
            lines += _speedups(results, workload)

    functional = meta.get("functional") or {}
    if functional:
        lines += ["## Functional findings (checked in this run)", ""]
        reads = {k[: -len(" read")]: v for k, v in functional.items() if k.endswith(" read")}
        if reads:
            lines.append(
                "- The plain \"read a collection\" call each peer's README shows returns "
                + ", ".join(f"{v} items ({k})" for k, v in reads.items())
                + f": the server's default limit, not the {c.N_ARTICLES:,} items there are. "
                "Each needs an explicit `limit(-1)`; directus_orm pages past the limit itself."
            )
        for key, value in functional.items():
            if key.endswith(" insert"):
                lines.append(f"- {key[: -len(' insert')]}: its create call with the whole list of "
                             f"{c.N_INSERT:,} rows: {value}")
        lines.append("")

    lines += _method()
    return "\n".join(lines) + "\n" + _kept_wide_section()


def _kept_wide_section() -> str:
    """The wide-collection section that ``bench/wide.py`` wrote, kept across regenerations."""
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    start, end = "<!-- wide-collection:start -->", "<!-- wide-collection:end -->"
    text = doc.read_text() if doc.exists() else ""
    if start not in text or end not in text:
        return ""
    return "\n" + start + text.split(start, 1)[1].split(end, 1)[0] + end + "\n"


def _cpu_section(results: dict[str, Any]) -> list[str]:
    titles = results.get("titles", {})
    lines: list[str] = []
    if results.get("cpu"):
        lines += [f"## {titles.get('5')}", ""]
        cpu = results["cpu"]
        lines += [
            f"One response of {cpu.get('items'):,} articles ({cpu.get('bytes'):,} bytes, default "
            "fields) recorded from the server, then hydrated in a loop: per-call time of each "
            "round, best and median over all rounds and repetitions, divided by the item count. "
            "`pydantic validate_json` is `TypeAdapter(list[ArticleBase]).validate_json` on the "
            "`data` array's bytes, with a plain pydantic model of the same field types; "
            "`orm hydration core` is what `QuerySet` runs on a response body "
            "(`Article._meta.validator(\"list\").validate_json` + `_meta.strip(items, body)`); "
            "`orm QuerySet, no network` is `list(Article.objects.all())` on a Session whose "
            "transport (`httpx.MockTransport`) answers with the recorded bytes, so it also "
            "counts building the request and the response object. The last rows repeat the "
            f"1,000 items {c.N_ARTICLES // c.CPU_ITEMS} times into one {c.N_ARTICLES:,}-item "
            "response: the cost per item grows with the number of objects alive at once, "
            "because Python's cyclic garbage collector walks them all each time it runs; "
            "ratios there are to the same-size json.loads and validate_json.",
            "",
            "| variant | best µs/item | median µs/item | x json.loads (best) | "
            "x pydantic validate_json (best) | rounds |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for row in cpu_table(results):
            suffix = "" if row["items"] == cpu.get("items") else f" ({row['items']:,} items)"
            base = cpu_best(results, "json.loads" + suffix)
            validate = cpu_best(results, "pydantic validate_json" + suffix)
            lines.append(
                f"| {row['variant']} | {row['best']:.2f} | {row['median']:.2f} | "
                f"{row['best'] / base:.2f}x | {row['best'] / validate:.2f}x | {row['n']} |"
                if base and validate else
                f"| {row['variant']} | {row['best']:.2f} | {row['median']:.2f} | - | - | {row['n']} |"
            )
        lines.append("")

    return lines


def _memory_section(results: dict[str, Any]) -> list[str]:
    titles = results.get("titles", {})
    lines: list[str] = []
    if results.get("memory"):
        lines += [
            f"## {titles.get('6')}", "",
            "Each run is a fresh `python` process (the project venv) that imports everything and "
            "runs a one-row query, then forks; the child opens a session, reads one row "
            "(baseline) and then the rows, and reports `resource.getrusage(RUSAGE_SELF).ru_maxrss` "
            "before and after. (The fork keeps the import-time peak of the parent, building "
            "pydantic schemas, out of the child's `ru_maxrss`: without it every row of this table "
            "shows that import peak.) Collection `bench_mem`: 5 fields "
            "(title, integer, 200-char text, boolean). `floor_paged` is raw httpx with keyset "
            "pages of 1,000 and json.loads, keeping nothing; `floor_all` is one `limit` request "
            "kept as dicts.",
            "",
            "| variant | rows | peak RSS MB (median) | min-max | baseline MB | growth MB | "
            "seconds | runs | import-time peak MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in sorted(memory_table(results), key=lambda r: (r["variant"], r["n"])):
            lines.append(
                f"| {row['variant']} | {row['n']:,} | {row['peak']:.1f} | {row['min']:.1f}-"
                f"{row['max']:.1f} | {row['baseline']:.1f} | {row['growth']:.1f} | "
                f"{row['seconds']:.2f} | {row['runs']} | {row['process']:.1f} |"
            )
        lines.append("")

    return lines


def _workload_intro(workload: str) -> list[str]:
    text = {
        "1": f"Default fields (`*`: ten fields plus the M2M `tags` as junction keys; `price` is "
             "created as `decimal(10,2)`, which Directus on SQLite reports and returns as a "
             "float), "
             f"{c.N_ARTICLES:,} rows, about 15 MB of JSON. The floor is one `limit=-1` request; "
             "directus_orm and py-directus hydrate typed models, the other peers return dicts. "
             "The paged rows read pages of 1,000 (directus_orm's `iterator()` does that itself; "
             "the peers have no paging helper, so the caller loops).",
        "2": f"`views < 1000` matches {c.N_RELATED:,} rows; fields `*`, `author.*`, "
             "`tags.bench_tags_id.*` (M2O and M2M through the junction, expanded by the server).",
        "3": f"Into an empty collection with the same fields (recreated before every timed call, "
             f"untimed; rows counted after it). Rows are built before timing. The per-item loop "
             f"is measured on {c.N_SAVE_LOOP} items and scaled to {c.N_INSERT:,}.",
        "4": f"`published = true` matches {c.N_UPDATE:,} rows; `score` is set to a value unique "
             "to the call, and the changed rows are counted afterwards (untimed). Peers without "
             f"a batch update PATCH one item per request: their loop is measured on "
             f"{c.N_UPDATE_LOOP} items and scaled to {c.N_UPDATE:,} (plus the timed id read).",
        "7": f"{c.N_CONCURRENT} different id-range queries of {c.CONCURRENT_SPAN} items "
             "(default fields). The floor here is raw `httpx.AsyncClient` with `asyncio.gather`. "
             "Server and clients share the loopback and 2 CPUs; Directus serves them from one "
             "Node process over one SQLite connection.",
        "7b": f"Workload 7 again, every connection going through `bench/latency_proxy.py`, a "
              f"loopback TCP proxy that delays each chunk by {c.WAN_RTT * 500:.0f} ms each way "
              f"({c.WAN_RTT * 1000:.0f} ms round trip, like a server in another region): here "
              "the wait is the network, which concurrency can overlap. Not one of the issue's "
              "targets; it shows what limits workload 7.",
    }[workload]
    return [text, ""]


def _speedups(results: dict[str, Any], workload: str) -> list[str]:
    pairs = [("floor-sync", "floor", "raw httpx"), ("orm-sync", "orm-async", "directus_orm")]
    out = []
    for sync_id, async_id, label in pairs:
        s = case_by_id(results, workload, sync_id)
        a = case_by_id(results, workload, async_id)
        ss, sa = (stats(s) if s else None), (stats(a) if a else None)
        if ss and sa:
            out.append(f"- {label}: sequential {_fmt_s(ss['median'])} s, async gather "
                       f"{_fmt_s(sa['median'])} s: a speed-up of **{ss['median'] / sa['median']:.2f}x**.")
    return [*out, ""] if out else []


def _method() -> list[str]:
    return [
        "## Method",
        "",
        "- One Directus, started by `directus_orm.localserver` (the test suite's harness); the "
        "schema is created and seeded through the API (seeding is not measured; the seeded "
        "database is kept under `.cache/bench-seed/` and reused by later runs).",
        "- Each client runs in a persistent worker process: directus_orm and the floor in the "
        "project venv, each peer in its own venv under `.cache/bench-venvs/` (pins in "
        "`bench/requirements.txt`). The driver sends one JSON command per measurement; the "
        "worker times only the client call with `time.perf_counter` (client construction, "
        "row building and checks are outside the timing).",
        "- Every repetition runs every (workload, client) case, in an order rotated from one "
        "repetition to the next, so that slow drifts of the shared machine hit every client.",
        "- Every client authenticates with the same admin static token.",
        "- Peers are used the way their READMEs show; where a peer cannot do a workload the row "
        "says `n/a (reason)`, where a working variant needs a detour (an explicit `limit(-1)`, "
        "fields listed by name, caller-side chunking) the notes say so.",
        "- Raw results (every timing) are in `bench/results/<date>.json` (git-ignored).",
        "",
    ]


def summary(results: dict[str, Any]) -> str:
    lines = ["", "Targets (issue #7):"]
    for t in targets(results):
        detail = f" ({t['detail']})" if t["detail"] else ""
        lines.append(f"  [{_mark(t['ok']).strip('*'):>6}] {t['target']}: {t['measured']}{detail}")
    lines.append("")
    lines.append("Median ratios to the floor:")
    for workload, cases in results.get("workloads", {}).items():
        floor = floor_of(cases)
        for case in cases:
            st = stats(case)
            if st and floor:
                lines.append(f"  W{workload} {case['client']:<16} {case['id']:<16} "
                             f"{st['median']:8.3f}s  {st['median'] / floor['median']:6.2f}x")
            elif case.get("status") != "ok":
                lines.append(f"  W{workload} {case['client']:<16} {case['id']:<16} "
                             f"n/a ({(case.get('reason') or '')[:90]})")
    return "\n".join(lines)
