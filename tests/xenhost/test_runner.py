# SPDX-License-Identifier: GPL-2.0
"""Host tests of the emulated host's runner (xenhost.py): the KTAP reader, the verdicts, the
cells. No host is booted; run by `make check`'s unit stage."""
import pytest

import xenhost

BOOT = xenhost.Boot(elapsed=100, last_out=99, hung=False, silent=False, hung_at=0, timeout=420, silence=180)


def doc(*results, totals=True, end=True):
    """A dom0 serial log with KTAP results given as (ok, name, detail)."""
    lines = ["(XEN) Xen version 4.17", "XPF-BOOT dom0 up", "KTAP version 1"]
    for i, (ok, name, detail) in enumerate(results, 1):
        lines += [f"# {name}: {detail}", f"{'ok' if ok else 'not ok'} {i} {name}"]
    if totals:
        lines.append(f"# Totals: pass:{sum(r[0] for r in results)} fail:{sum(not r[0] for r in results)}")
    if end:
        lines.append("XPF-END dom0")
    return lines


def test_ktap_results_and_details():
    k = xenhost.Ktap.parse(doc((True, "toolstack", "Xen 4.17"), (False, "domU:ping6-dom0", "sendto: x: y")))
    assert [(r.ok, r.number, r.name, r.detail) for r in k.results] == [
        (True, 1, "toolstack", "Xen 4.17"), (False, 2, "domU:ping6-dom0", "sendto: x: y")]
    assert k.totals == (1, 1) and k.broken() == ""


def test_ktap_detail_of_another_step_is_not_taken():
    k = xenhost.Ktap.parse(["KTAP version 1", "# a: for a", "ok 1 b", "# Totals: pass:1 fail:0"])
    assert k.results[0].detail == ""


def test_ktap_relayed_raw_log_is_not_results():
    lines = doc((True, "domU:frontend-loaded", "x"))
    lines[-2:-2] = ["XPF-DOMU-LOG-BEGIN", "ok 7 nvme-load", "not ok 8 nvme-io", "XPF-DOMU-LOG-END"]
    k = xenhost.Ktap.parse(lines)
    assert [r.name for r in k.results] == ["domU:frontend-loaded"]


def test_pass():
    v, _ = xenhost.judge(doc((True, "domU:ping6-dom0", "3 packets")), BOOT, ("domU:ping6-dom0",))
    assert v.passed, v.why


def test_failed_step_fails():
    v, _ = xenhost.judge(doc((True, "domU:ping6-dom0", ""), (False, "domU:dmesg-clean", "WARNING")),
                         BOOT, ("domU:ping6-dom0",))
    assert not v.passed and not v.infra and v.why == "1 step(s) failed"


def test_proving_step_missing_fails():
    v, _ = xenhost.judge(doc((True, "domU:nic-driver-bound", "")), BOOT, ("domU:ping6-dom0",))
    assert not v.passed and "domU:ping6-dom0 never passed" in v.why


def test_lost_result_line_fails():
    # A result mangled on the serial line: the guest counted 2, one was read. Without the
    # check a lost "not ok" would pass.
    lines = doc((True, "domU:ping6-dom0", ""), (False, "domU:dmesg-clean", ""))
    lines.remove("not ok 2 domU:dmesg-clean")
    v, _ = xenhost.judge(lines, BOOT, ("domU:ping6-dom0",))
    assert not v.passed and "2 step(s) counted, 1 result(s) read, missing [2]" in v.why


def test_flipped_result_fails():
    # A "not ok" that reached the host as "ok": the counts say one failed.
    lines = doc((True, "domU:ping6-dom0", ""), (False, "domU:dmesg-clean", ""))
    lines[lines.index("not ok 2 domU:dmesg-clean")] = "ok 2 domU:dmesg-clean"
    v, _ = xenhost.judge(lines, BOOT, ("domU:ping6-dom0",))
    assert not v.passed and "pass:1 counted, 2 read" in v.why


def test_no_totals_fails():
    v, _ = xenhost.judge(doc((True, "domU:ping6-dom0", ""), totals=False), BOOT, ("domU:ping6-dom0",))
    assert not v.passed and "no closing '# Totals:' line" in v.why


def test_no_end_fails():
    v, _ = xenhost.judge(doc((True, "domU:ping6-dom0", ""), end=False), BOOT, ("domU:ping6-dom0",))
    assert not v.passed and "never reached the end" in v.why


def test_user_crash_makes_a_failure_infrastructure():
    lines = doc((False, "domU:link-up", "Segmentation fault"))
    lines.insert(3, "[ 14.6] grep[251]: segfault at 8 ip 0000000000433f4b sp 0 error 4")
    v, _ = xenhost.judge(lines, BOOT, ("domU:ping6-dom0",))
    assert not v.passed and v.infra and v.crashes == 1


def test_kernel_report_is_the_drivers_even_with_crashes():
    lines = doc((False, "domU:link-up", ""))
    lines.insert(3, "[ 14.6] grep[251]: segfault at 8 ip 0000000000433f4b")
    lines.insert(4, "[ 8.9] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580")
    v, _ = xenhost.judge(lines, BOOT, ())
    assert not v.passed and not v.infra and v.why.startswith("a kernel report")


def test_dom0_kernel_report_before_init_is_infrastructure():
    # CI, Debian 13's host: dom0's kernel took an int3 Oops in its idle task 3.9 s into its boot,
    # before its init ran; no driver domain existed and none of our code had run.
    early = ["(XEN) Xen version 4.20", "[    3.909006] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI",
             "[    3.914108]  do_idle+0x41/0x2a0", "(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds."]
    v, _ = xenhost.judge(early, BOOT, ())
    assert not v.passed and v.infra and v.why.startswith("INFRASTRUCTURE: dom0's kernel failed in its own boot")
    # The same report once dom0's init is up is a verdict: a driver domain may have caused it.
    late = doc(end=False) + early[1:]
    v, _ = xenhost.judge(late, BOOT, ())
    assert not v.passed and not v.infra and v.why.startswith("a kernel report")


def test_watchdog_and_step_words_are_not_judged():
    # The watchdog's crashed xl must not make a hang a flake; a step's detail quoting
    # "BUG: " is not a kernel report.
    lines = doc((True, "domU:dmesg-clean", "no BUG: in dmesg"))
    lines.insert(3, "watchdog| xl[99]: segfault at 0 ip 0")
    assert xenhost.kernel_report(lines) == ""
    hung = xenhost.Boot(500, 400, True, False, len(lines), 420, 180)
    v, _ = xenhost.judge(lines, hung, ())
    assert not v.passed and not v.infra and "did not finish within 420 s" in v.why


def test_silent_host_is_infrastructure():
    silent = xenhost.Boot(300, 100, True, True, 5, 420, 180)
    v, _ = xenhost.judge(doc(end=False), silent, ())
    assert v.infra and "went silent for 180 s at 100 s" in v.why


def test_qemu_crash_is_infrastructure_unless_a_kernel_reported():
    died = xenhost.Boot(1011, 992, False, False, 0, 3100, 180, qemu_signal=11)
    v, _ = xenhost.judge(doc(end=False), died, ())
    assert v.infra and "QEMU itself died of signal 11 (SIGSEGV) at 1011 s" in v.why
    # A guest kernel's own report in the same log is the verdict, whatever QEMU did after.
    lines = doc(end=False) + ["[   9.1] BUG: unable to handle page fault for address: 0"]
    v, _ = xenhost.judge(lines, died, ())
    assert not v.infra and "BUG: unable to handle page fault" in v.why
    # Without the signal the same log is dom0 not reaching its end: a real failure.
    v, _ = xenhost.judge(doc(end=False), BOOT, ())
    assert not v.infra and "never reached the end" in v.why


def test_cell_words():
    c = xenhost.Cell.parse("hotplug ours noiommu 5 passthrough e820 host-trixie")
    assert (c.scenario, c.frontend, c.topo, c.cycles, c.pciback, c.e820, c.suffix, c.host) == \
        ("hotplug", "ours", "noiommu", 5, "passthrough", True, "e820", "trixie")
    assert xenhost.Cell.parse("vanish ours iommu sid").kver == "sid"
    assert xenhost.Cell.parse("baseline ours iommu tsc").clocksource == "tsc"


def test_every_scenario_loads():
    names = sorted(p.stem for p in xenhost.SCENARIOS.glob("*.toml"))
    assert "baseline" in names and "hotplug" in names
    for n in names:
        s = xenhost.Scenario.load(n)
        assert s.must, n


def test_debug_kernel_steps_only_for_ours_there():
    # The debug kernel's own steps (lockdep's classes) are required of ours on that kernel only.
    assert "domU:lockdep-classes-named" in xenhost.Scenario.load("baseline").must_debug
    c = xenhost.Cell.parse("baseline ours iommu")
    assert xenhost.dataclasses.replace(c, kver="6.1.158-xpfdebug").debug_ours
    assert not xenhost.dataclasses.replace(c, kver="6.1.158-amd64").debug_ours
    assert not xenhost.dataclasses.replace(c, frontend="intree", kver="6.1.158-xpfdebug").debug_ours


def test_unknown_scenario_says_which_exist():
    with pytest.raises(xenhost.SetupError, match="no scenario 'nope'.*baseline"):
        xenhost.Scenario.load("nope")


@pytest.mark.parametrize("sc", ["msi", "hotplug", "bench"])
def test_declared_devices_are_known(sc):
    s = xenhost.Scenario.load(sc)
    assert s.devices and all(d in xenhost.DEVICES for d in s.devices)


def test_host_requests_are_whitelisted():
    assert xenhost.host_request("XPF-HOST-REQ pcie_aer_inject_error aer0 POISON_TLP") == \
        "pcie_aer_inject_error aer0 POISON_TLP"
    assert xenhost.host_request("XPF-HOST-REQ quit") is None
    assert xenhost.host_request("XPF-HOST-REQ pcie_aer_inject_error aer0 X; quit") is None


# --- The run ledger and the crash rates ---------------------------------------------------

def test_upper_bound_of_a_rate():
    # No crash in 100 runs: the rate is below 2.95 per 100 with 95% confidence (1 - 0.05^(1/100)).
    assert abs(xenhost.upper95(0, 100) - (1 - 0.05 ** (1 / 100))) < 1e-6
    # One in 100 (Clopper-Pearson, one-sided): 4.66 per 100.
    assert abs(xenhost.upper95(1, 100) - 0.0466) < 0.0005
    assert xenhost.upper95(3, 3) == 1.0 and xenhost.upper95(0, 0) == 1.0


def test_each_try_is_classified():
    v = xenhost.judge(doc((True, "domU:nic-bound", "")) + ["busybox[88]: segfault at 0 ip 1"], BOOT,
                      ("domU:nic-bound",))[0]
    assert xenhost.classify(v) == "crash"     # counted as a crash although every step passed
    assert xenhost.classify(xenhost.judge(doc((True, "a", "")), BOOT, ())[0]) == "pass"
    assert xenhost.classify(xenhost.judge(doc((False, "a", "")), BOOT, ())[0]) == "fail"
    silent = xenhost.Boot(elapsed=300, last_out=100, hung=True, silent=True, hung_at=5, timeout=420, silence=180)
    assert xenhost.classify(xenhost.judge(doc((True, "a", "")), silent, ())[0]) == "infra"


def test_ledger_appends_one_line_per_try(tmp_path, monkeypatch):
    monkeypatch.setenv("XPF_LEDGER", str(tmp_path / "l.jsonl"))
    monkeypatch.setattr(xenhost, "qemu_version", lambda: "QEMU 7.2.19")
    sc = xenhost.Scenario.load("smp")
    cell = xenhost.Cell("smp", "ours", "iommu", "6.1.0-57-amd64")
    lines = doc((True, "a", "")) + ["sh[9]: segfault at 8 ip 2"]
    for t in (1, 2):
        v = xenhost.judge(lines if t == 1 else doc((True, "a", "")), BOOT, ())[0]
        xenhost.append_ledger(xenhost.ledger_record(cell, sc, v, BOOT, lines if t == 1 else [], t))
    recs = xenhost.read_ledger(tmp_path / "l.jsonl")
    assert [(r["try"], r["outcome"], r["qemu"], r["vcpus"]) for r in recs] == \
        [(1, "crash", "QEMU 7.2.19", 4), (2, "pass", "QEMU 7.2.19", 4)]
    assert "segfault at 8" in recs[0]["first_crash"]


def test_rates_per_scenario_and_qemu():
    recs = [{"scenario": "msi", "qemu": "Q7", "outcome": o, "cell": "msi-ours-iommu", "first_crash": "x",
             "time": "t"} for o in ("pass", "crash", "pass", "infra")]
    recs += [{"scenario": "msi", "qemu": "Q10", "outcome": "pass", "cell": "c", "first_crash": ""}]
    t = xenhost.rates_table(recs)
    q7 = next(l for l in t if l.startswith("msi") and "Q7" in l).split()
    assert q7[2:5] == ["4", "1", "25.0"] and q7[-1] == "1"
    q10 = next(l for l in t if l.startswith("msi") and "Q10" in l).split()
    assert q10[2:5] == ["1", "0", "0.0"] and float(q10[5]) == 95.0
    assert any(l.startswith("  crash in msi-ours-iommu") for l in t)


def test_kept_logs_are_scanned(tmp_path):
    run = tmp_path / "runs" / "hotplug-ours-iommu"
    run.mkdir(parents=True)
    (run / "serial.txt").write_text("[    0.0] DMI: QEMU, BIOS 1.16.2-debian 04/01/2014\nXPF-BOOT dom0 up\nok 1 a\n")
    (tmp_path / "runs" / "msi-ours-iommu.infra-flake-1.log").write_text(
        "XPF-BOOT dom0 up\r\nbusybox[3]: segfault at 0 ip 0\r\n")
    (tmp_path / "runs" / "x").mkdir()
    (tmp_path / "runs" / "x" / "serial.txt").write_text("(XEN) died before dom0\n")  # not counted
    recs = xenhost.scan_kept_logs(tmp_path)
    assert sorted((r["scenario"], r["outcome"], r["qemu"]) for r in recs) == [
        ("hotplug", "kept", "SeaBIOS 1.16.2-debian (kept log)"), ("msi", "crash", "SeaBIOS ? (kept log)")]


def test_qemu_family_joins_the_ledger_and_kept_logs():
    assert xenhost.qemu_family("QEMU 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)") == "QEMU 7.2 (Debian 12)"
    assert xenhost.qemu_family("SeaBIOS 1.16.2-debian-1.16.2-1 (kept log)") == "QEMU 7.2 (Debian 12)"
    assert xenhost.qemu_family("SeaBIOS 1.16.3-debian-1.16.3-2 (kept log)") == "QEMU 10.0 (Debian 13)"
    assert xenhost.qemu_family("QEMU 9.9.9") == "QEMU 9.9.9"


def test_hvm_triple_fault_makes_a_failure_infrastructure():
    lines = doc((True, "stubdom:devices", "x"), (False, "hvm:nic-bound", "no e1000 device bound"))
    lines.insert(3, "(XEN) d1v0 Triple fault - invoking HVM shutdown action 1")
    v, _ = xenhost.judge(lines, BOOT, ())
    assert not v.passed and v.infra and "triple-faulted" in v.why
    # Without Xen's line the same failure is the driver's.
    v, _ = xenhost.judge(lines[:3] + lines[4:], BOOT, ())
    assert not v.passed and not v.infra
    # A kernel report outranks it.
    lines.insert(4, "[ 8.9] BUG: unable to handle page fault for address: 0000000000000008")
    v, _ = xenhost.judge(lines, BOOT, ())
    assert not v.passed and not v.infra


def test_failed_rogue_round_digest_has_the_rogues_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(xenhost, "XH", tmp_path)
    (tmp_path / "serial.txt").write_text("x\n")
    lines = doc((True, "domU:rogue-good", "ok"), (False, "domU:rogue-garbage", "no log line"))
    lines[3:3] = ["dom0-rogue| xpf-rogue[good]: gone after 900 ops, 900 answered",
                  "dom0-rogue| xpf-rogue[garbage]: frontend Connected",
                  "dom0-rogue| xpf-rogue[garbage]: gone after 3 ops, 3 answered"]
    cell = xenhost.Cell("rogue", "ours", "iommu", "6.1.0-57-amd64")
    v, _ = xenhost.judge(lines, BOOT, ())
    xenhost.write_digest(cell, v, BOOT, lines, tmp_path, 1)
    why = (tmp_path / "why" / f"{cell.name}.txt").read_text()
    # Right under the failed step, only that round's lines (the serial tail comes later).
    assert why.splitlines()[1:4] == ["  FAIL domU:rogue-garbage: no log line",
                                     "  dom0-rogue| xpf-rogue[garbage]: frontend Connected",
                                     "  dom0-rogue| xpf-rogue[garbage]: gone after 3 ops, 3 answered"]


def test_a_bench_boot_after_a_dead_one_requires_its_own_first_domain(monkeypatch):
    # run.sh boots again from the round a dead boot did not finish: that boot's first domain is
    # the round's first frontend (ours in odd rounds), and no domain of round 1 runs in it.
    sc, c = xenhost.Scenario.load("bench"), xenhost.Cell.parse("bench ours iommu")
    monkeypatch.delenv("XPF_BENCH_FROM", raising=False)
    assert xenhost.required_steps(sc, c) == ("domU-ours-1:bench",)
    monkeypatch.setenv("XPF_BENCH_FROM", "4")
    assert xenhost.required_steps(sc, c) == ("domU-intree-4:bench",)
    monkeypatch.setenv("XPF_BENCH_FROM", "7")
    assert xenhost.required_steps(sc, c) == ("domU-ours-7:bench",)
    assert xenhost.required_steps(xenhost.Scenario.load("baseline"), xenhost.Cell.parse("baseline ours iommu")) == \
        xenhost.Scenario.load("baseline").must
