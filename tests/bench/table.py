#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The bench table: ours against the in-tree frontend, from one boot's serial log.

Each driver domain (a frontend and a round) printed its measurements as
"XPF-SHOW bench fe=<frontend> round=<n> <measurement> key=value ..." (domu-bench.sh). A row's
value for a domain is the median of that domain's values; a frontend's value is the median over
its domains; the ratio is ours / in-tree. Its 95% interval comes from a bootstrap over the
domains (each frontend's domains resampled with replacement, 4000 times, a fixed seed so that the
same log gives the same table). A verdict is stated only when the interval says so: below 1 is
"faster" (or "smaller", "fewer"), above 1 "slower" (or "larger", "more"), an interval that
holds 1 is "no difference". With fewer than three domains a side there is no interval at all.

  table.py SERIAL-LOG KERNEL OUT-DIR     prints the table, writes OUT-DIR/results.json
"""
from __future__ import annotations

import dataclasses
import json
import random
import re
import statistics
import sys
from pathlib import Path

BOOTSTRAP = 4000
MIN_DOMAINS = 3


@dataclasses.dataclass(frozen=True)
class Row:
    measurement: str
    key: str
    what: str
    divisor: float
    unit: str
    better: str = "lower"      # lower | higher: which way is good, for the verdict's word
    intree_measurement: str = ""  # the in-tree frontend's row when it differs (it has no cache)


# The rows users care about first: a config read in the kernel, the same in the domain's own
# event-channel round trips, enumeration, MSI-X kept across rebinds, hotplug, memory.
ROWS = [
    Row("confread_kernel", "wall_ns_per_op", "config read in the kernel (pci_read_config_dword)", 1, "ns"),
    Row("@kernel_in_floor", "", "the same, in the domain's own kernel event-channel round trips", 1, "round trips"),
    Row("rescan", "wall_ns_per_op", "kernel enumeration: a rescan of the PV bus (sysfs)", 1e6, "ms"),
    Row("msix_kept", "on_msix", "binds of the e1000e on MSI-X (of 6: hot-attach, then 5 cycles)", 1, "binds",
        better="higher"),
    Row("hotplug", "attach_ms", "xl pci-attach of the e1000e to its netdev up in the driver domain", 1, "ms"),
    Row("hotplug", "detach_ms", "xl pci-detach of the e1000e to it gone in the driver domain", 1, "ms"),
    Row("memory", "module_bytes", "module core size (/proc/modules; ours: all four)", 1024, "KiB"),
    Row("memory", "slab_kb_after_enumeration", "slab growth from load to the NIC enumerated", 1, "KiB"),
    Row("confread_kernel_nocache", "wall_ns_per_op", "config read in the kernel, our config cache off", 1, "ns",
        intree_measurement="confread_kernel"),
    Row("confread", "wall_ns_per_op", "config read through sysfs (one op each)", 1, "ns"),
    Row("confread_nocache", "wall_ns_per_op", "the same, our config cache off", 1, "ns",
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
    m = row.intree_measurement if fe == "intree" and row.intree_measurement else row.measurement
    return med(m, row.key)


def ratio(ours: list[float], intree: list[float]) -> float | None:
    b = statistics.median(intree)
    return statistics.median(ours) / b if b > 0 else None


def interval(ours: list[float], intree: list[float], rng: random.Random) -> tuple[float, float] | None:
    """The 95% bootstrap interval of the ratio of medians, or None with too few domains."""
    if len(ours) < MIN_DOMAINS or len(intree) < MIN_DOMAINS:
        return None
    rs = []
    for _ in range(BOOTSTRAP):
        r = ratio(rng.choices(ours, k=len(ours)), rng.choices(intree, k=len(intree)))
        if r is not None:
            rs.append(r)
    if len(rs) < BOOTSTRAP * 0.95:  # the in-tree median was 0 too often: no interval
        return None
    rs.sort()
    return rs[int(0.025 * len(rs))], rs[int(0.975 * len(rs)) - 1]


def verdict(row: Row, ci: tuple[float, float] | None) -> str:
    if ci is None:
        return "-"
    lo, hi = ci
    words = {"ns": ("faster", "slower"), "ms": ("faster", "slower"), "round trips": ("faster", "slower"),
             "KiB": ("smaller", "larger"), "binds": ("fewer", "more")}[row.unit]
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
    ratio: float | None
    ci: tuple[float, float] | None
    verdict: str


def compute(domains: dict, seed: int = 1) -> list[Line]:
    rng = random.Random(seed)
    out = []
    for row in ROWS:
        vals = {fe: [v for (f, _), d in sorted(domains.items()) if f == fe
                     for v in [domain_value(d, row, fe)] if v is not None] for fe in ("ours", "intree")}
        o, t = vals["ours"], vals["intree"]
        r = ratio(o, t) if o and t else None
        ci = interval(o, t, rng) if r is not None else None
        out.append(Line(row, o, t, r, ci, verdict(row, ci)))
    return out


def render(lines: list[Line], kernel: str, domains: dict) -> list[str]:
    n = {fe: sum(1 for f, _ in domains if f == fe) for fe in ("ours", "intree")}
    head = (f"bench (kernel {kernel}; {n['ours']} domains of ours, {n['intree']} of the in-tree frontend; "
            "medians over the domains, ratio ours/in-tree with its 95% bootstrap interval)")
    out = [head, f"{'':64} {'ours':>11} {'in-tree':>11} {'ratio':>6} {'95% interval':>14}  verdict"]
    for l in lines:
        def fmt(v: list[float]) -> str:
            return f"{statistics.median(v) / l.row.divisor:.{2 if l.row.unit == 'round trips' else 1}f}" if v else "-"
        r = f"{l.ratio:.2f}" if l.ratio is not None else "-"
        ci = f"{l.ci[0]:.2f}..{l.ci[1]:.2f}" if l.ci else "-"
        out.append(f"{(l.row.what + ' (' + l.row.unit + ')')[:64]:64} {fmt(l.ours):>11} {fmt(l.intree):>11} "
                   f"{r:>6} {ci:>14}  {l.verdict}")
    if min(n.values()) < MIN_DOMAINS:
        out.append(f"bench: fewer than {MIN_DOMAINS} domains a side: no intervals and no verdicts")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.split("\n\n")[-1].strip(), file=sys.stderr)
        return 2
    serial, kernel, out = Path(argv[0]), argv[1], Path(argv[2])
    domains = parse(serial.read_text(errors="replace"))
    if not domains:
        print(f"table.py: no bench lines in {serial}", file=sys.stderr)
        return 1
    lines = compute(domains)
    print("\n".join(render(lines, kernel, domains)))
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({
        "kernel": kernel, "bootstrap": BOOTSTRAP,
        "domains": [f"{f}:{r}" for f, r in sorted(domains)],
        "rows": [{"row": f"{l.row.measurement} {l.row.key}".strip(), "what": l.row.what, "unit": l.row.unit,
                  "ours": l.ours, "intree": l.intree, "ratio_of_medians": l.ratio,
                  "interval95": l.ci, "verdict": l.verdict} for l in lines]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
