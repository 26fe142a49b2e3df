# SPDX-License-Identifier: GPL-2.0
# pytest's options and summary for the emulated-host matrix (test_xenhost.py).
import xenhost


def pytest_addoption(parser):
    parser.addoption("--cells", default="check", choices=("check", "matrix", "extra", "compare"),
                     help="check: make check's cells; matrix: those and the ones CI's time leaves "
                          "out; extra: only those; compare: the in-tree frontend's, for the "
                          "side-by-side tables")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not getattr(config, "xpf_cells_ran", False):
        return
    w = terminalreporter
    for sc, what in (("msi", "msi scenario, side by side (yes/no: the fact held; ours is checked as steps)"),
                     ("hotplug", "hotplug scenario, side by side (e1000 cycles, then cycles around an attached NVMe)"),
                     ("rogue", "rogue backend, round by round (yes: survived, unloaded and loaded again, and said why)")):
        w.write_sep("-", what)
        for line in xenhost.facts_table(sc):
            w.write_line(f"  {line}")
    w.write_sep("-", "infrastructure retries")
    for line in xenhost.retry_report():
        w.write_line(line)
    w.write_sep("-", "user-space crashes in this session's runs, per scenario (every try counted)")
    for line in xenhost.rates_table(xenhost.SESSION_RECORDS):
        w.write_line(f"  {line}")
    w.write_line(f"  every run on this machine: tests/xenhost/xenhost.py rates ({xenhost.ledger_path()})")
