"""docs/benchmarks.png from a results JSON. Runs in the bench-only "plot" venv (matplotlib).

    python bench/plot.py bench/results/<stamp>.json docs/benchmarks.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import report

COLORS = {
    "floor": "#7f7f7f",
    "directus_orm": "#1f77b4",
    "py-directus": "#ff7f0e",
    "directus-sdk-py": "#2ca02c",
    "pydirectus-sdk": "#9467bd",
}
TARGET_LINES = {"1": report.TARGET_READ, "3": report.TARGET_BULK}


def ratio_panel(ax: Any, results: dict[str, Any], workload: str, title: str) -> None:
    cases = results["workloads"].get(workload, [])
    floor = report.floor_of(cases)
    labels, values, lows, highs, colors, notes = [], [], [], [], [], []
    for case in cases:
        st = report.stats(case)
        label = case.get("short") or f"{case['client']} · {case['id']}"
        if case.get("extrapolated"):
            label += " (extrap.)"
        labels.append(label)
        colors.append(COLORS.get(case["client"], "#333333"))
        if st and floor:
            r = st["median"] / floor["median"]
            values.append(r)
            lows.append(r - st["min"] / floor["median"])
            highs.append(st["max"] / floor["median"] - r)
            notes.append(f"{r:.2f}x")
        else:
            values.append(0.0)
            lows.append(0.0)
            highs.append(0.0)
            reason = case.get("reason") or ""
            notes.append("n/a: " + (reason[:48] + "…" if len(reason) > 48 else reason))
    y = list(range(len(labels)))[::-1]
    ax.barh(y, values, xerr=[lows, highs], color=colors, alpha=0.85, capsize=3,
            error_kw={"elinewidth": 1})
    # The server's share of each bar (from its request log), hatched.
    server = []
    for case in cases:
        sp = report.split(case)
        ok = sp is not None and not sp["overlap"] and floor
        server.append(sp["server"] / floor["median"] if ok else 0.0)
    if any(server):
        ax.barh(y, server, color="none", edgecolor="white", hatch="///", linewidth=0,
                label="server's own time")
        ax.legend(fontsize=7, loc="lower right")
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    measured = [v for v in values if v > 0]
    top = max(measured) if measured else 1.0
    log = top > 6
    if log:
        ax.set_xscale("log")
        ax.set_xlim(0.5, top * 4)
    else:
        reach = max((v + h for v, h in zip(values, highs, strict=False)), default=1.0)
        ax.set_xlim(0, max(reach * 1.3, 1.6))
    ax.axvline(1.0, color="black", linewidth=1)
    if workload in TARGET_LINES:
        ax.axvline(TARGET_LINES[workload], color="red", linestyle="--", linewidth=1)
    for yy, value, high, note in zip(y, values, highs, notes, strict=False):
        end = value + high
        if not value:
            x = 0.55 if log else top * 0.02
        else:
            x = end * 1.12 if log else end + top * 0.03
        ax.text(x, yy, note, va="center", fontsize=7,
                color="black" if value else "#a00000")
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel("median time / floor median (lower is better)" + (", log scale" if log else ""),
                  fontsize=8)
    ax.tick_params(axis="x", labelsize=8)


def cpu_panel(ax: Any, results: dict[str, Any], title: str) -> None:
    rows = report.cpu_table(results)
    labels = [r["variant"] for r in rows]
    best = [r["best"] for r in rows]
    med = [r["median"] for r in rows]
    y = list(range(len(rows)))[::-1]
    colors = ["#1f77b4" if "orm" in name else "#ff7f0e" if "py-directus" in name else "#7f7f7f"
              for name in labels]
    ax.barh(y, best, color=colors, alpha=0.85)
    ax.scatter(med, y, marker="|", color="black", s=80, label="median")
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    for yy, value in zip(y, best, strict=False):
        ax.text(value * 1.02 + 0.05, yy, f"{value:.2f}", va="center", fontsize=7)
    validate = report.cpu_best(results, "pydantic validate_json")
    if validate:
        ax.axvline(validate * report.TARGET_CPU, color="red", linestyle="--", linewidth=1)
    ax.set_xlim(0, max(best + med) * 1.25 if best else 1)
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel("µs per item (bar: best, tick: median); red: 1.5x pydantic validate_json",
                  fontsize=8)
    ax.tick_params(axis="x", labelsize=8)


def memory_panel(ax: Any, results: dict[str, Any], title: str) -> None:
    rows = sorted(report.memory_table(results), key=lambda r: (r["variant"], r["n"]))
    labels = [f"{r['variant']} {r['n']:,}" for r in rows]
    y = list(range(len(rows)))[::-1]
    base = [r["baseline"] for r in rows]
    growth = [r["peak"] - r["baseline"] for r in rows]
    colors = ["#1f77b4" if r["variant"].startswith("orm") else "#7f7f7f" for r in rows]
    ax.barh(y, base, color="#dddddd", label="baseline (imports, session)")
    ax.barh(y, growth, left=base, color=colors, alpha=0.85, label="growth while reading")
    for yy, r in zip(y, rows, strict=False):
        ax.text(r["peak"] + 2, yy, f"{r['peak']:.0f} MB", va="center", fontsize=7)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlim(0, max((r["peak"] for r in rows), default=1) * 1.2)
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel("peak RSS, MB (median of runs)", fontsize=8)
    ax.legend(fontsize=7, loc="center right")
    ax.tick_params(axis="x", labelsize=8)


def main() -> None:
    results = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2])
    titles = results.get("titles", {})
    panels: list[tuple[str, Any]] = []
    for workload in ("1", "2", "3", "4", "7", "7b"):
        if workload in results.get("workloads", {}):
            panels.append((workload, ratio_panel))
    if results.get("cpu"):
        panels.append(("5", cpu_panel))
    if results.get("memory"):
        panels.append(("6", memory_panel))
    panels.sort(key=lambda p: p[0])
    cols = 2
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(16, 4.2 * rows), squeeze=False)
    for ax, (workload, fn) in zip(axes.flat, panels, strict=False):
        title = titles.get(workload, workload)
        if fn is ratio_panel:
            fn(ax, results, workload, title)
        else:
            fn(ax, results, title)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    meta = results["meta"]
    fig.suptitle(
        f"directus_orm benchmarks — Directus {meta.get('directus')} (SQLite), {meta.get('reps')} "
        f"repetitions, {meta.get('started')}; bars: median, whiskers: min-max; "
        "black line: the floor (raw httpx), red dashed: target",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.975))
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
