# SPDX-License-Identifier: GPL-2.0
"""Host tests of the bench table (table.py): parsing, per-domain medians, intervals, verdicts."""
import table


def log(values: dict, measurement="confread_kernel", key="wall_ns_per_op") -> str:
    """A serial log with one line per domain: values = {frontend: [value per round]}."""
    return "\n".join(f"\rXPF-SHOW bench fe={fe} round={i} {measurement} ops=2000 {key}={v}"
                     for fe, vs in values.items() for i, v in enumerate(vs, 1))


def line(lines, measurement, key):
    return next(l for l in lines if l.row.measurement == measurement and l.row.key == key)


def test_clearly_faster():
    d = table.parse(log({"ours": [300, 310, 320, 305, 315, 330], "intree": [800, 850, 820, 900, 810, 800]}))
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    pairs = sorted([300 / 800, 310 / 850, 320 / 820, 305 / 900, 315 / 810, 330 / 800])
    assert abs(l.ratio - (pairs[2] + pairs[3]) / 2) < 1e-9  # the median of the rounds' ratios
    # Six rounds: the smallest to the largest ratio, 1 - 2/64 of the time around the median.
    assert l.ci == (pairs[0], pairs[-1], 1 - 2 / 64) and l.verdict == "faster"


def test_overlap_is_no_difference():
    d = table.parse(log({"ours": [300, 900, 500, 700, 400, 600], "intree": [350, 800, 600, 450, 650, 600]}))
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    assert l.ci[0] < 1 < l.ci[1] and l.verdict == "no difference"


def test_clearly_larger_memory():
    d = table.parse(log({"ours": [200_000] * 6, "intree": [28_000, 29_000, 28_500] * 2}, "memory", "module_bytes"))
    l = line(table.compute(d), "memory", "module_bytes")
    assert l.verdict == "larger"


def test_too_few_rounds_has_no_verdict():
    # Five rounds all one way: the sign test cannot put the median inside at 95% (1 - 2/32).
    d = table.parse(log({"ours": [300, 310, 320, 330, 340], "intree": [800, 850, 820, 830, 840]}))
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
    text = (log({"ours": [300] * 6, "intree": [800] * 6}) + "\n" +
            log({"ours": [100] * 6, "intree": [100] * 6}, "floor_kernel"))
    l = line(table.compute(table.parse(text)), "@kernel_in_floor", "")
    assert l.ours == [3.0] * 6 and l.intree == [8.0] * 6 and l.verdict == "faster"


def test_intree_nocache_row_uses_its_one_measurement():
    text = (log({"ours": [400, 400, 400]}, "confread_kernel_nocache") + "\n" +
            log({"intree": [800, 800, 800]}))
    l = line(table.compute(table.parse(text)), "confread_kernel_nocache", "wall_ns_per_op")
    assert l.ratio == 0.5


def test_intree_nocache_row_prefers_its_own_late_measurement():
    text = (log({"ours": [400, 400, 400]}, "confread_kernel_nocache") + "\n" +
            log({"intree": [800, 800, 800]}) + "\n" +
            log({"intree": [500, 500, 500]}, "confread_kernel_nocache"))
    l = line(table.compute(table.parse(text)), "confread_kernel_nocache", "wall_ns_per_op")
    assert l.ratio == 0.8


def test_same_log_same_table():
    d = table.parse(log({"ours": [300, 900, 500, 700], "intree": [350, 800, 600, 450]}))
    a = line(table.compute(d), "confread_kernel", "wall_ns_per_op").ci
    b = line(table.compute(d), "confread_kernel", "wall_ns_per_op").ci
    assert a == b


def test_spread_over_domains_is_printed():
    d = table.parse(log({"ours": [300, 600, 400], "intree": [500, 510, 520]}))
    out = table.render(table.compute(d), "k", d)
    after = out[out.index("spread over the domains (slowest / fastest domain, per frontend):"):]
    spread = next(s for s in after if s.strip().startswith("config read in the kernel (pci_read"))
    assert spread.split()[-3:] == ["2.00", "in-tree", "1.04"]


def test_rounds_are_paired():
    # The host slows down and speeds up between rounds by 2x, for both frontends alike; ours is
    # 0.8 of the in-tree frontend in every round. Unpaired medians over the domains would drown
    # that in the 2x; the rounds' ratios do not.
    speed = [1.0, 2.0, 1.2, 1.9, 1.0]
    d = table.parse(log({"ours": [800 * k for k in speed], "intree": [1000 * k for k in speed]}))
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    assert l.pairs == [0.8] * 5 and l.ratio == 0.8 and l.ci is None  # five rounds: no interval
    d = table.parse(log({"ours": [800 * k for k in speed + [1.5]], "intree": [1000 * k for k in speed + [1.5]]}))
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    assert l.ci[:2] == (0.8, 0.8) and l.verdict == "faster"


def test_a_round_missing_a_side_is_not_paired():
    d = table.parse(log({"ours": [300, 310, 320, 330], "intree": [600, 620, 640]}))
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    assert l.pairs == [0.5, 0.5, 0.5] and len(l.ours) == 4


def test_sign_test_interval_widens_with_rounds():
    # Ten rounds: the second smallest to the second largest, 1 - 2 * 11/1024 = 97.9%.
    lo, hi, cover = table.interval([float(i) for i in range(1, 11)])
    assert (lo, hi) == (2.0, 9.0) and abs(cover - (1 - 22 / 1024)) < 1e-12
    assert table.interval([1.0] * 5) is None


def test_a_later_boot_replaces_the_rounds_it_ran():
    # The first boot died in round 3, after both its domains had printed something; the second
    # ran rounds 3 and 4, its round-3 in-tree domain lost (a failed create). Round 3 then has no
    # ratio: its ours domain is never paired with the dead boot's in-tree one.
    first = table.parse(log({"ours": [300, 300, 900], "intree": [600, 600, 5000]}))
    second = table.parse("\n".join(f"XPF-SHOW bench fe={fe} round={r} confread_kernel wall_ns_per_op={v}"
                                   for fe, r, v in (("ours", 3, 300), ("ours", 4, 300), ("intree", 4, 600))))
    d = table.merge([first, second])
    assert sorted(d) == [("intree", 1), ("intree", 2), ("intree", 4), ("ours", 1), ("ours", 2), ("ours", 3),
                         ("ours", 4)]
    l = line(table.compute(d), "confread_kernel", "wall_ns_per_op")
    assert l.pairs == [0.5] * 3
