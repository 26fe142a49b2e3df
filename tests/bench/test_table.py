# SPDX-License-Identifier: GPL-2.0
"""Host tests of the bench table (table.py): parsing, per-domain medians, intervals, verdicts."""
import random

import table


def log(values: dict, measurement="confread_kernel", key="wall_ns_per_op") -> str:
    """A serial log with one line per domain: values = {frontend: [value per round]}."""
    return "\n".join(f"\rXPF-SHOW bench fe={fe} round={i} {measurement} ops=2000 {key}={v}"
                     for fe, vs in values.items() for i, v in enumerate(vs, 1))


def line(lines, measurement, key):
    return next(l for l in lines if l.row.measurement == measurement and l.row.key == key)


def test_clearly_faster():
    d = table.parse(log({"ours": [300, 310, 320, 305, 315], "intree": [800, 850, 820, 900, 810]}))
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    assert abs(l.ratio - 310 / 820) < 1e-9
    assert l.ci[1] < 1 and l.verdict == "faster"


def test_overlap_is_no_difference():
    d = table.parse(log({"ours": [300, 900, 500, 700, 400], "intree": [350, 800, 600, 450, 650]}))
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    assert l.ci[0] < 1 < l.ci[1] and l.verdict == "no difference"


def test_clearly_larger_memory():
    d = table.parse(log({"ours": [200_000] * 3, "intree": [28_000, 29_000, 28_500]}, "memory", "module_bytes"))
    l = line(table.compute(d), "memory", "module_bytes")
    assert l.verdict == "larger"


def test_too_few_domains_has_no_verdict():
    d = table.parse(log({"ours": [300, 310], "intree": [800, 850]}))
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    assert l.ratio is not None and l.ci is None and l.verdict == "-"
    assert any("no intervals" in s for s in table.render(table.compute(d), "k", d))


def test_missing_side_has_no_ratio():
    d = table.parse(log({"ours": [300, 310, 320]}))
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    assert l.ratio is None and l.verdict == "-"


def test_per_domain_median_then_across_domains():
    # Five cycles a domain: the domain's median counts once, however many lines it printed.
    text = "\n".join(f"XPF-SHOW bench fe=ours round=1 msix_cycle wall_ns={v}" for v in (1, 2, 100, 101, 102))
    d = table.parse(text)
    assert table.domain_value(d[("ours", 1)], table.Row("msix_cycle", "wall_ns", "", 1, "ms"), "ours") == 100


def test_duplicate_relayed_line_counts_once():
    text = log({"ours": [300]}) + "\n" + log({"ours": [300]})
    assert table.parse(text)[("ours", 1)][("confread_kernel", "wall_ns_per_op")] == [300.0]


def test_same_domain_row():
    text = (log({"ours": [300, 300, 300], "intree": [800, 800, 800]}) + "\n" +
            log({"ours": [100, 100, 100], "intree": [100, 100, 100]}, "floor_kernel"))
    l = line(table.compute(table.parse(text)), "@kernel_in_floor", "")
    assert l.ours == [3.0, 3.0, 3.0] and l.intree == [8.0, 8.0, 8.0] and l.verdict == "faster"


def test_intree_nocache_row_uses_its_one_measurement():
    text = (log({"ours": [400, 400, 400]}, "confread_kernel_nocache") + "\n" +
            log({"intree": [800, 800, 800]}))
    l = line(table.compute(table.parse(text)), "confread_kernel_nocache", "wall_ns_per_op")
    assert l.ratio == 0.5


def test_same_log_same_table():
    d = table.parse(log({"ours": [300, 900, 500, 700], "intree": [350, 800, 600, 450]}))
    a = line(table.compute(d), "confread_kernel", "wall_ns_per_op").ci
    b = line(table.compute(d), "confread_kernel", "wall_ns_per_op").ci
    assert a == b
