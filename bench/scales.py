"""Results kept per scale, and the growth table that compares the scales.

Each run writes its results into bench/results-<contacts>.json, replacing those of the
same case, database, user and cache and keeping the others (another database, or a case
the run left out), each with the time of the run that measured it. The growth table
reads every scale's file: how a case's median grows with the population.
"""

import json
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCALES = [10_000, 100_000, 1_000_000]
# From 100,000 to 1,000,000 contacts: at most this many times the median.
GROWTH_FROM, GROWTH_TO = 100_000, 1_000_000
GROWTH_LIMITS = {
    **dict.fromkeys(
        [
            "list_first_page",
            "list_filtered_sorted",
            "list_deep_page",
            "list_sorted_last_activity",
            "list_100",
            "card",
            "edit_form",
            "create_form",
            "edit_save",
            "create_person",
            "webform_submit",
        ],
        1.5,
    ),
    **dict.fromkeys(["search", "search_common", "duplicates_page"], 2),
}


def results_path(contacts):
    return BENCH / f"results-{contacts}.json"


def key_of(result):
    return (result["case"], result["database"], result["user"], result.get("cache"))


def load(contacts):
    path = results_path(contacts)
    return json.loads(path.read_text()) if path.exists() else []


def save(results, contacts):
    """Merge results into the file of their scale; return its path."""
    measured = {key_of(r) for r in results}
    kept = [r for r in load(contacts) if key_of(r) not in measured]
    path = results_path(contacts)
    path.write_text(json.dumps(kept + results, indent=2) + "\n")
    return path


def label(contacts):
    if contacts % 1_000_000 == 0:
        return f"{contacts // 1_000_000}M"
    if contacts % 1000 == 0:
        return f"{contacts // 1000}k"
    return str(contacts)


def print_growth(contacts, order, informational):
    """Print each case's median at every scale saved; return (limits met, limits checked).

    order(result) sorts the rows; informational(case, cache) is true for rows held to no
    target.
    """
    scales = sorted({*SCALES, contacts})
    by_scale = {scale: {key_of(r): r for r in load(scale)} for scale in scales}
    # The cases with a median: the memory case has none.
    keys = sorted(
        {key for results in by_scale.values() for key, r in results.items() if "median_ms" in r},
        key=lambda key: order(next(s[key] for s in by_scale.values() if key in s)),
    )
    growth = f"{label(GROWTH_TO)}/{label(GROWTH_FROM)}"
    header = ["database", "case", "user", "cache", *map(label, scales), growth, "limit"]
    rows, met, total = [header], 0, 0
    for key in keys:
        case, database, user, cache = key
        medians = [by_scale[s].get(key, {}).get("median_ms") for s in scales]
        row = [database, case, user, cache or ""]
        row += ["" if m is None else str(m) for m in medians]
        before = by_scale[GROWTH_FROM].get(key, {})
        after = by_scale[GROWTH_TO].get(key, {})
        ratio = None
        if before.get("median_ms") and after.get("median_ms"):
            ratio = after["median_ms"] / before["median_ms"]
        row.append("" if ratio is None else f"{ratio:.2f}×")
        limit = GROWTH_LIMITS.get(case)
        if limit and before and after and before.get("page") != after.get("page"):
            # A deep page that one scale has not: the smaller timed its last page, read
            # from the end, which is other work. The absolute bound still holds.
            row.append(f"other pages: {before.get('page')} / {after.get('page')}")
        elif limit and not informational(case, cache):
            if ratio is None:
                row.append(f"≤ {limit}×")
            else:
                ok = ratio <= limit
                met += ok
                total += 1
                row.append(f"≤ {limit}× {'✓' if ok else '✗'}")
        else:
            row.append("")
        rows.append(row)
    if len(rows) == 1:
        return met, total
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = set(range(4, 4 + len(scales) + 1))
    print(f"Growth: the median in ms at each scale (contacts); {growth}: its growth.")
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for scale in scales:
        runs = {}
        for result in by_scale[scale].values():
            runs.setdefault(result["database"], set()).add(result.get("run", "?"))
        if runs:
            measured = "; ".join(f"{db} {', '.join(sorted(at))}" for db, at in runs.items())
            print(f"- {label(scale)} ({scale:,} contacts): {measured}")
    print()
    return met, total
