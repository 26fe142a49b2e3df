#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The bench table: ours against the in-tree frontend, from the bench's serial logs (one per boot).

Each driver domain (a frontend and a round) printed its measurements as
"XPF-SHOW bench fe=<frontend> round=<n> <measurement> key=value ..." (domu-bench.sh). A row's
value for a domain is the median of that domain's values; a frontend's value is the median over
its domains. The ratio is paired by round: a round is one domain of each frontend, booted one
after the other (which goes first alternates), so the round's ratio ours / in-tree cancels what
the host did to both (a slower stretch of the boot). The ratio is the median of the rounds'
ratios. Its interval is the sign test's for that median, exact whatever the distribution: with
n rounds it runs from the k-th smallest to the k-th largest ratio, k the largest for which the
median lies outside with a chance of 5% or less (6 to 8 rounds: the smallest to the largest,
about 97% to 99%; 10 rounds: the second to the ninth, 97.9%). A verdict is stated only when
the interval says so: below 1 is "faster" (or "smaller", "fewer"), above 1 "slower" (or
"larger", "more"), an interval that holds 1 is "no difference". With fewer than six whole
rounds there is no interval (no order statistics bound the median at 95%).

When the host died mid-run (QEMU's own crash), run.sh boots again for the rounds it lost: each
later boot's log replaces the rounds it ran (a round the dead boot had begun is run whole again,
both domains in one boot), so every ratio still pairs two domains of one boot.

  table.py KERNEL OUT-DIR SERIAL-LOG [SERIAL-LOG ...]   prints the table, writes OUT-DIR/results.json
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
import statistics
import sys
from pathlib import Path

MIN_ROUNDS = 6


@dataclasses.dataclass(frozen=True)
class Row:
    measurement: str
    key: str
    what: str
    divisor: float
    unit: str
    better: str = "lower"      # lower | higher: which way is good, for the verdict's word
    intree_measurement: str = ""  # the in-tree frontend's row in logs where it has none of its own


# The rows users care about first: a config read in the kernel, the same in the domain's own
# event-channel round trips, enumeration, MSI-X kept across rebinds, hotplug, memory.
ROWS = [
    Row("confread_kernel", "wall_ns_per_op", "config read in the kernel (pci_read_config_dword)", 1, "ns"),
    Row("confread_kernel", "p50_ns", "the same, the median read of the 10000 (what a read costs unstalled)", 1, "ns"),
    Row("@kernel_in_floor", "", "the same, in the domain's own kernel event-channel round trips", 1, "round trips"),
    Row("rescan", "wall_ns_per_op", "kernel enumeration: a rescan of the PV bus (sysfs)", 1e6, "ms"),
    Row("msix_kept", "on_msix", "binds of the e1000e on MSI-X (of 6: hot-attach, then 5 cycles)", 1, "binds",
        better="higher"),
    Row("hotplug", "attach_ms", "xl pci-attach of the e1000e to its netdev up in the driver domain", 1, "ms"),
    Row("hotplug", "detach_ms", "xl pci-detach of the e1000e to it gone in the driver domain", 1, "ms"),
    Row("memory", "module_bytes", "module core size (/proc/modules; ours: all four)", 1024, "KiB"),
    Row("memory", "slab_kb_after_enumeration", "slab growth from load to the NIC enumerated", 1, "KiB"),
    Row("confread_kernel_nocache", "wall_ns_per_op", "config read in the kernel again, last (our config cache off)", 1, "ns",
        intree_measurement="confread_kernel"),
    Row("confread_kernel", "p99_ns", "config read in the kernel, the 99th percentile read", 1, "ns"),
    Row("confread_kernel", "slow_reads", "kernel config reads of 1 ms or more (of 10000)", 1, "reads"),
    Row("confread_kernel", "runnable_ns_per_op", "of a kernel config read: its vCPU runnable, not running", 1,
        "ns"),
    Row("confread_kernel", "blocked_ns_per_op", "of a kernel config read: its vCPU blocked", 1, "ns"),
    Row("backend_events", "spurious", "events pciback found nothing to do for, to the hotplug rows (dom0)", 1,
        "events"),
    Row("backend_events", "eoi_delayed_jiffies", "jiffies dom0's late-EOI throttle held pciback's channel masked", 1,
        "jiffies"),
    Row("confread", "wall_ns_per_op", "config read through sysfs (one op each)", 1, "ns"),
    Row("confread_nocache", "wall_ns_per_op", "config read through sysfs again, last (our cache off)", 1, "ns",
        intree_measurement="confread"),
    Row("confread", "cpu_ns_per_op", "guest CPU per config op through sysfs", 1, "ns"),
    Row("lspci_vvv", "wall_ns", "lspci -vvv of the passed-through NIC", 1e6, "ms"),
    Row("lspci_vvv", "cpu_ns", "guest CPU of that lspci -vvv", 1e6, "ms"),
    Row("lspci_vvv_dump", "wall_ns", "the same lspci -vvv from a dump (-F; no config op)", 1e6, "ms"),
    Row("@lspci_minus_dump", "", "lspci -vvv minus the same from a dump: its config reads", 1e6, "ms"),
    Row("load_and_enumerate", "wall_ns", "modprobe of the frontend to the NIC on the PV PCI bus", 1e6, "ms"),
    Row("msix_cycle", "wall_ns", "MSI-X device (e1000e) driver unbind + bind", 1e6, "ms"),
    Row("floor", "wall_ns_per_op", "event-channel round trip, user space at both ends", 1, "ns"),
    Row("floor_kernel", "wall_ns_per_op", "event-channel round trip, kernel to kernel (the floor)", 1, "ns"),
]

# The rows whose spread over the domains the table prints below it.
SPREAD_ROWS = ("confread_kernel", "@kernel_in_floor", "confread", "lspci_vvv_dump", "floor_kernel")

LINE = re.compile(r"XPF-SHOW bench fe=(\S+) round=(\d+) (\S+)((?: \S+=\S*)*)")


def parse(text: str) -> dict[tuple[str, int], dict[tuple[str, str], list[float]]]:
    """Per domain (frontend, round): each (measurement, key) with its values. A line the relay
    printed twice is counted once."""
    domains: dict = {}
    for line in dict.fromkeys(m.group(0) for m in LINE.finditer(text.replace("\r", ""))):
        m = LINE.match(line)
        d = domains.setdefault((m[1], int(m[2])), {})
        for kv in m[4].split():
            k, _, v = kv.partition("=")
            if re.fullmatch(r"\d+(\.\d+)?", v):
                d.setdefault((m[3], k), []).append(float(v))
    return domains


def merge(boots: list[dict]) -> dict:
    """The domains of several boots' logs, in boot order: a round a later boot ran replaces that
    round (both frontends' domains) from the earlier boots."""
    out: dict = {}
    for domains in boots:
        rounds = {r for _, r in domains}
        out = {k: v for k, v in out.items() if k[1] not in rounds}
        out.update(domains)
    return out


def domain_value(d: dict, row: Row, fe: str) -> float | None:
    """One domain's value of a row: the median of its values, or a same-domain derivation."""
    def med(m: str, k: str) -> float | None:
        v = d.get((m, k))
        return statistics.median(v) if v else None
    if row.measurement == "@kernel_in_floor":
        a, b = med("confread_kernel", "wall_ns_per_op"), med("floor_kernel", "wall_ns_per_op")
        return a / b if a is not None and b else None
    if row.measurement == "@lspci_minus_dump":
        a, b = med("lspci_vvv", "wall_ns"), med("lspci_vvv_dump", "wall_ns")
        return a - b if a is not None and b is not None else None
    # The in-tree frontend measures the "cache off" rows itself (the same reads, later in the
    # domain); a log from before that has only its one measurement.
    own = med(row.measurement, row.key)
    if own is None and fe == "intree" and row.intree_measurement:
        return med(row.intree_measurement, row.key)
    return own


def pair_ratios(ours: dict[int, float], intree: dict[int, float]) -> list[float]:
    """Each whole round's ratio ours / in-tree (a round missing a side, or with an in-tree value
    of 0, has none)."""
    return [ours[r] / intree[r] for r in sorted(ours) if r in intree and intree[r] > 0]


def interval(pairs: list[float]) -> tuple[float, float, float] | None:
    """The sign test's interval for the median of the rounds' ratios: (low, high, coverage), or
    None with fewer than MIN_ROUNDS rounds."""
    n = len(pairs)
    if n < MIN_ROUNDS:
        return None
    xs = sorted(pairs)
    # P(median < x_(k)) = P(Binomial(n, 1/2) < k), the same above x_(n-k+1).
    outside = lambda k: 2 * sum(math.comb(n, i) for i in range(k)) / 2 ** n
    k = max(k for k in range(1, n // 2 + 1) if outside(k) <= 0.05)
    return xs[k - 1], xs[n - k], 1 - outside(k)


def verdict(row: Row, ci: tuple[float, float, float] | None) -> str:
    if ci is None:
        return "-"
    lo, hi, _ = ci
    words = {"ns": ("faster", "slower"), "ms": ("faster", "slower"), "round trips": ("faster", "slower"),
             "KiB": ("smaller", "larger"), "binds": ("fewer", "more"), "reads": ("fewer", "more"),
             "events": ("fewer", "more"), "jiffies": ("fewer", "more")}[row.unit]
    if hi < 1:
        return words[0]
    if lo > 1:
        return words[1]
    return "no difference"


@dataclasses.dataclass
class Line:
    row: Row
    ours: list[float]
    intree: list[float]
    pairs: list[float]         # each whole round's ratio
    ratio: float | None
    ci: tuple[float, float, float] | None  # low, high, coverage
    verdict: str


def compute(domains: dict) -> list[Line]:
    out = []
    for row in ROWS:
        by = {fe: {rnd: v for (f, rnd), d in sorted(domains.items()) if f == fe
                   for v in [domain_value(d, row, fe)] if v is not None} for fe in ("ours", "intree")}
        pairs = pair_ratios(by["ours"], by["intree"])
        r = statistics.median(pairs) if pairs else None
        ci = interval(pairs)
        out.append(Line(row, list(by["ours"].values()), list(by["intree"].values()), pairs, r, ci,
                        verdict(row, ci)))
    return out


def render(lines: list[Line], kernel: str, domains: dict) -> list[str]:
    n = {fe: sum(1 for f, _ in domains if f == fe) for fe in ("ours", "intree")}
    head = (f"bench (kernel {kernel}; {n['ours']} domains of ours, {n['intree']} of the in-tree frontend; "
            "medians over the domains; ratio ours/in-tree: the median of the rounds' ratios, with the "
            "sign test's interval for it, at least 95%)")
    out = [head, f"{'':64} {'ours':>11} {'in-tree':>11} {'ratio':>6} {'interval':>14} {'cover':>5}  verdict"]
    for l in lines:
        def fmt(v: list[float]) -> str:
            return f"{statistics.median(v) / l.row.divisor:.{2 if l.row.unit == 'round trips' else 1}f}" if v else "-"
        r = f"{l.ratio:.2f}" if l.ratio is not None else "-"
        ci = f"{l.ci[0]:.2f}..{l.ci[1]:.2f}" if l.ci else "-"
        cover = f"{100 * l.ci[2]:.0f}%" if l.ci else "-"
        out.append(f"{(l.row.what + ' (' + l.row.unit + ')')[:64]:64} {fmt(l.ours):>11} {fmt(l.intree):>11} "
                   f"{r:>6} {ci:>14} {cover:>5}  {l.verdict}")
    if max((len(l.pairs) for l in lines), default=0) < MIN_ROUNDS:
        out.append(f"bench: fewer than {MIN_ROUNDS} whole rounds (a domain of each frontend): "
                   "no intervals and no verdicts")
    # How far apart the domains of one frontend were: what keeps an interval wide.
    out.append("spread over the domains (slowest / fastest domain, per frontend):")
    for l in lines:
        if l.row.measurement in SPREAD_ROWS and l.ours and l.intree:
            sp = {fe: f"{max(v) / min(v):.2f}" if min(v) > 0 else "-" for fe, v in (("ours", l.ours), ("in-tree", l.intree))}
            out.append(f"  {l.row.what[:62]:62} ours {sp['ours']:>5}  in-tree {sp['in-tree']:>5}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.split("\n\n")[-1].strip(), file=sys.stderr)
        return 2
    kernel, out, serials = argv[0], Path(argv[1]), [Path(a) for a in argv[2:]]
    domains = merge([parse(p.read_text(errors="replace")) for p in serials])
    if not domains:
        print(f"table.py: no bench lines in {' '.join(map(str, serials))}", file=sys.stderr)
        return 1
    lines = compute(domains)
    print("\n".join(render(lines, kernel, domains)))
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({
        "kernel": kernel, "interval": "sign test, order statistics of the rounds' ratios",
        "boots": len(serials),
        "domains": [f"{f}:{r}" for f, r in sorted(domains)],
        "rows": [{"row": f"{l.row.measurement} {l.row.key}".strip(), "what": l.row.what, "unit": l.row.unit,
                  "ours": l.ours, "intree": l.intree, "round_ratios": l.pairs, "median_round_ratio": l.ratio,
                  "interval95": l.ci, "verdict": l.verdict} for l in lines]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
