"""Workload 6: one fresh process reads N rows one way and reports its peak RSS.

    python bench/memory_child.py URL TOKEN VARIANT N

The process imports everything and runs a one-row warm-up query (which builds the model's
validator), then forks: the child opens its own session and reads the rows, so its
``ru_maxrss`` starts below the import-time peak of the parent (building pydantic schemas
briefly takes more memory than iterating does) and shows the memory of the read itself.
Prints one JSON line: the child's ``ru_maxrss`` before and after the read, the parent's
import-time peak, the rows seen and the seconds taken.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c
import httpx

from directus_orm import Model, Session


class MemRow(Model, collection=c.MEM):
    id: int | None = None
    title: str | None = None
    n: int | None = None
    body: str | None = None
    flag: bool = False


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    url, token, variant, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with Session(url, static_token=token, timeout=300) as warm:
        list(MemRow.objects.using(warm)[:1])
    import_peak = peak_mb()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            answer = json.loads(pipe.read())
        os.waitpid(pid, 0)
        answer["process_peak_mb"] = import_peak
        print(json.dumps(answer))
        return
    os.close(read_end)
    try:
        answer = read(url, token, variant, n)
    except BaseException as exc:  # report, never run the parent's code in the child
        answer = {"error": f"{type(exc).__name__}: {exc}"}
    with os.fdopen(write_end, "w") as pipe:
        pipe.write(json.dumps(answer))
    os._exit(0)


def read(url: str, token: str, variant: str, n: int) -> dict[str, Any]:
    session = Session(url, static_token=token, timeout=300)
    client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300)
    qs = MemRow.objects.using(session)
    list(qs[:1])
    client.get(f"/items/{c.MEM}", params={"limit": "1"}).raise_for_status()
    before = peak_mb()
    started = time.perf_counter()
    count = 0
    keep: Any = None
    if variant == "orm_iterator":
        for _ in (qs.iterator() if n >= c.N_MEM else qs[:n].iterator()):
            count += 1
    elif variant == "orm_list":
        keep = list(qs if n >= c.N_MEM else qs[:n])
        count = len(keep)
    elif variant == "floor_paged":
        last = 0
        while count < n:
            params = {"limit": str(min(c.BATCH, n - count)), "sort": "id",
                      "filter": json.dumps({"id": {"_gt": last}})}
            rows = json.loads(client.get(f"/items/{c.MEM}", params=params).content)["data"]
            if not rows:
                break
            count += len(rows)
            last = rows[-1]["id"]
    elif variant == "floor_all":
        keep = json.loads(client.get(f"/items/{c.MEM}", params={"limit": str(n)}).content)["data"]
        count = len(keep)
    else:
        raise ValueError(f"unknown variant {variant}")
    seconds = time.perf_counter() - started
    return {"variant": variant, "n": n, "items": count, "seconds": seconds,
            "baseline_mb": before, "peak_mb": peak_mb()}


if __name__ == "__main__":
    main()
