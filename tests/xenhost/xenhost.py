#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The emulated Xen host, one cell at a time.

A cell is a scenario (tests/xenhost/scenarios/NAME.toml: its devices, its timeout, the steps that
must pass) run with a frontend (ours or the in-tree one), a topology (with or without QEMU's
Intel IOMMU), a driver-domain kernel, pciback's mode and a host generation (Debian 12: Xen 4.17,
or Debian 13: Xen 4.20). This module boots QEMU (TCG) with Xen, dom0 and the driver domain's
images (images.sh), streams the steps the guests report in KTAP on the serial line, stops a host
that hangs or goes silent (after asking Xen and QEMU where its vCPUs are), judges the run, retries
one that the TCG user-space flake broke, and leaves a digest of a failure for the end of
`make check`. The matrix of cells is tests/xenhost/test_xenhost.py (pytest).

  xenhost.py run [--scenario S] [--frontend intree|ours] [--topology iommu|noiommu]
                 [--kver KVER] [--pciback vpci|passthrough] [--host bookworm|trixie]
                 [--cycles N] [--e820-host] [--suffix S]
  xenhost.py table msi|hotplug|rogue     the side-by-side table of a scenario's recorded facts
  xenhost.py rates [--scan DIR]... [LEDGER]...
                 user-space crashes per 100 runs of each scenario and QEMU, from the ledger every
                 run appends to (XPF_LEDGER) and from kept serial logs under DIR
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("XPF_BUILD") or TOP / "build")
XH = BUILD / "xenhost"
SCENARIOS = Path(__file__).resolve().parent / "scenarios"

# The devices a scenario may add to the host, beyond the two e1000s every host has (the one
# passed through at 00:02.0, dom0's own at 00:03.0, on QEMU's internal hub). "{run}" is the run's
# directory; each disk is a 64 MiB scratch image made there.
DEVICES = {
    # An NVMe controller (MSI-X) on a scratch disk.
    "nvme": (["-drive", "file={run}/nvme.img,if=none,id=nv0,format=raw",
              "-device", "nvme,serial=xpf0001,drive=nv0,addr=04.0"], ["nvme.img"]),
    # The same behind a PCIe root port, so that it is on bus 1 (0000:01:00.0).
    "nvme-behind-port": (["-drive", "file={run}/nvme.img,if=none,id=nv0,format=raw",
                          "-device", "pcie-root-port,id=rp4,chassis=4,addr=04.0",
                          "-device", "nvme,serial=xpf0001,drive=nv0,bus=rp4"], ["nvme.img"]),
    # A virtio-net NIC with an AER capability behind a PCIe root port (0000:01:00.0), with the
    # id QEMU's AER injection names. Not an e1000e: QEMU 7.2's e1000e keeps its Device Control
    # error-reporting bits read-only, so it never reports an error.
    "virtio-aer-behind-port": (["-device", "pcie-root-port,id=rp5,chassis=5,addr=05.0",
                                "-netdev", "hubport,id=pt1,hubid=0",
                                "-device", "virtio-net-pci,id=aer0,netdev=pt1,bus=rp5,aer=on,romfile=,"
                                           "mac=52:54:00:12:34:05"], []),
    # A plain virtio-net NIC behind a PCIe root port (0000:01:00.0) at another slot, for a
    # scenario that has the e1000e too (smp).
    "virtio-net-behind-port": (["-device", "pcie-root-port,id=rp7,chassis=7,addr=07.0",
                                "-netdev", "hubport,id=pt2,hubid=0",
                                "-device", "virtio-net-pci,id=vnet0,netdev=pt2,bus=rp7,romfile=,"
                                           "mac=52:54:00:12:34:07"], []),
    # An e1000e (MSI-X) on the same hub.
    "e1000e": (["-netdev", "hubport,id=pt1,hubid=0",
                "-device", "e1000e,netdev=pt1,addr=05.0,romfile=,mac=52:54:00:12:34:05"], []),
    # A third e1000 at 08.0, for the stubdom scenario: QEMU's Xen passthrough takes a device at
    # host 00:02.0 for an Intel GPU and refuses anything else there (xen_pt_realize: "Need to
    # enable igd-passthru").
    "e1000-at-08": (["-netdev", "hubport,id=pt8,hubid=0",
                     "-device", "e1000,netdev=pt8,addr=08.0,romfile=,mac=52:54:00:12:34:08"], []),
    # An AHCI controller with a disk: Linux runs it on single-vector MSI.
    "ahci": (["-drive", "file={run}/sata.img,if=none,id=sata0,format=raw",
              "-device", "ich9-ahci,id=ahci1,addr=06.0", "-device", "ide-hd,drive=sata0,bus=ahci1.0"],
             ["sata.img"]),
}

FRONTENDS = ("intree", "ours")
TOPOLOGIES = ("iommu", "noiommu")
PCIBACK_MODES = ("vpci", "passthrough")
HOSTS = {"bookworm": ("4.17", XH), "trixie": ("4.20", XH / "host-trixie")}


class SetupError(Exception):
    """A wrong environment or argument: one line naming the fix."""


def sh(*cmd: str | Path, env: dict | None = None) -> str:
    """A helper script's one-line answer (scripts/kver.sh, suite.sh, ...), or SetupError."""
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                       env={**os.environ, **(env or {})})
    if r.returncode != 0:
        raise SetupError((r.stderr.strip() or r.stdout.strip() or f"{cmd[0]} failed").splitlines()[-1])
    return r.stdout.strip()


@functools.lru_cache(maxsize=None)
def kver_of(word: str) -> str:
    """The kernel a cell's word names: a Debian 12 series (6.1, 6.12), a newer suite's newest
    (trixie, sid), the debug kernel (debug), or a release as it is."""
    if re.fullmatch(r"\d+\.\d+", word):
        return sh(TOP / "scripts/kver.sh", word)
    if word in ("trixie", "sid"):
        return sh(TOP / "scripts/suite.sh", "kver", word)
    if word == "debug":
        return sh(TOP / "scripts/debug-kernel.sh", "release")
    return word


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    must: tuple[str, ...]          # the steps that prove the scenario did its job
    must_debug: tuple[str, ...] = ()  # more of them, for ours on the debug kernel (its checks)
    devices: tuple[str, ...] = ()  # keys of DEVICES
    passthrough: tuple[str, ...] = ("0000:00:02.0",)  # given to pciback in dom0
    timeout: int = 420             # seconds, for the whole host
    timeout_per_cycle: int = 0     # hotplug: added per cycle
    timeout_per_round: int = 0     # bench: added per round
    cycles: int = 0                # hotplug's default number of cycles
    vcpus: int = 1                 # the driver domain's
    vcpus_env: str = ""            # an environment variable that sets vcpus instead
    package: bool = False          # our Debian package is built and installed in the image
    stubdom: bool = False          # images with an HVM guest and its device-model stubdomain
    pciback: str = ""              # pciback's mode where the cell names none
    cpu: str = ""                  # QEMU's CPU model, if not the default (XPF_CPU still wins)
    doc: str = ""

    @staticmethod
    def load(name: str) -> "Scenario":
        path = SCENARIOS / f"{name}.toml"
        if not path.is_file():
            known = " ".join(sorted(p.stem for p in SCENARIOS.glob("*.toml")))
            raise SetupError(f"no scenario '{name}' (tests/xenhost/scenarios/: {known})")
        with open(path, "rb") as f:
            d = tomllib.load(f)
        bad = set(d) - {f.name for f in dataclasses.fields(Scenario)}
        if bad:
            raise SetupError(f"{path}: unknown key(s) {', '.join(sorted(bad))}")
        for dev in d.get("devices", ()):
            if dev not in DEVICES:
                raise SetupError(f"{path}: unknown device '{dev}' (known: {' '.join(DEVICES)})")
        if d.get("pciback", "vpci") not in PCIBACK_MODES:
            raise SetupError(f"{path}: pciback must be one of {PCIBACK_MODES}")
        for k in ("must", "must_debug", "devices", "passthrough"):
            if k in d:
                d[k] = tuple(d[k])
        return Scenario(name=name, **d)


@dataclasses.dataclass(frozen=True)
class Cell:
    scenario: str = "baseline"
    frontend: str = "intree"
    topo: str = "iommu"
    kver: str = ""                 # empty: the host generation's default
    pciback: str = "vpci"
    host: str = "bookworm"
    cycles: int = 0                # hotplug: 0 is the scenario's default
    e820: bool = False
    suffix: str = ""
    clocksource: str = ""          # the driver domain boots with clocksource= this (tsc)

    @staticmethod
    def parse(spec: str) -> "Cell":
        """A cell as the matrix writes it: "SCENARIO FRONTEND TOPOLOGY [word...]", each word a
        number of hotplug cycles, pciback's mode, a kernel (6.12, trixie, sid, debug), e820 (the
        domain gets e820_host=1), tsc (the driver domain's clocksource) or host-trixie (Debian
        13's host generation)."""
        sc, fe, tp, *words = spec.split()
        kw: dict = {}
        for w in words:
            if w == "host-trixie":
                kw["host"] = "trixie"
            elif w == "tsc":
                kw["clocksource"] = w
            elif w == "e820":
                kw["e820"] = True
                kw["suffix"] = "e820"
            elif w in PCIBACK_MODES:
                kw["pciback"] = w
            elif w.isdigit():
                kw["cycles"] = int(w)
            else:
                kw["kver"] = w  # resolved by resolve()
        return Cell(sc, fe, tp, **kw)

    def resolve(self) -> "Cell":
        """The same cell with its kernel named by release, the host's default when none."""
        if self.frontend not in FRONTENDS or self.topo not in TOPOLOGIES or \
                self.pciback not in PCIBACK_MODES or self.host not in HOSTS:
            raise SetupError(f"bad cell {self}: frontend {FRONTENDS}, topology {TOPOLOGIES}, "
                             f"pciback {PCIBACK_MODES}, host {tuple(HOSTS)}")
        kver = self.kver or ("6.1" if self.host == "bookworm" else "trixie")
        return dataclasses.replace(self, kver=kver_of(kver))

    @property
    def debug_ours(self) -> bool:
        """Ours in a driver domain on the debug kernel (scripts/debug-kernel.sh's release)."""
        return self.frontend == "ours" and self.kver.endswith("-xpfdebug")

    def _differences(self) -> list[tuple[str, str | int]]:
        """Where the cell differs from the default one, in the order its names give them."""
        d: list[tuple[str, str | int]] = []
        if self.suffix:
            d.append(("suffix", self.suffix))
        if self.pciback != "vpci":
            d.append(("pciback", self.pciback))
        if self.clocksource:
            d.append(("clocksource", self.clocksource))
        if self.cycles:
            d.append(("cycles", self.cycles))
        if self.kver != kver_of("6.1"):
            d.append(("kver", self.kver))
        if self.host != "bookworm":
            d.append(("host", self.host))
        return d

    @property
    def name(self) -> str:
        """The run's directory name: build/xenhost/runs/<name>/ (the cycles are not in it)."""
        fmt = {"suffix": "-{}", "pciback": "-{}", "clocksource": "-{}", "cycles": "", "kver": "-{}",
               "host": "-host-{}"}
        return f"{self.scenario}-{self.frontend}-{self.topo}" + \
            "".join(fmt[k].format(v) for k, v in self._differences())

    @property
    def label(self) -> str:
        """The cell as the summaries say it."""
        fmt = {"suffix": "/{}", "pciback": "/{}", "clocksource": " (clocksource {})",
               "cycles": " ({} cycles)", "kver": " on {}",
               "host": " (Debian 13 host, Xen " + HOSTS[self.host][0] + ")"}
        return f"{self.scenario}/{self.frontend}/{self.topo}" + \
            "".join(fmt[k].format(v) for k, v in self._differences())


# --- What the serial line says -------------------------------------------------------------

@dataclasses.dataclass
class Result:
    ok: bool
    number: int
    name: str
    detail: str

    def __str__(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'} {self.name}: {self.detail}"


KTAP_RESULT = re.compile(r"^(not ok|ok) (\d+) (\S+)")
KTAP_DIAG = re.compile(r"^# (\S+?): (.*)$")
# kselftest's last line: the counts the guest reported, checked against the results read.
KTAP_TOTALS = re.compile(r"^# Totals: pass:(\d+) fail:(\d+)")


def split_relayed(lines: list[str]) -> tuple[list[str], list[str]]:
    """dom0's own lines, and the driver-domain logs dom0 relayed between XPF-DOMU-LOG-BEGIN
    and XPF-DOMU-LOG-END (markers in neither)."""
    own: list[str] = []
    inside: list[str] = []
    cur = own
    for l in lines:
        if l.startswith("XPF-DOMU-LOG-BEGIN"):
            cur = inside
        elif l.startswith("XPF-DOMU-LOG-END"):
            cur = own
        else:
            cur.append(l)
    return own, inside


@dataclasses.dataclass
class Ktap:
    """dom0's KTAP document: its results (the driver domain's among them, named "domU:...")
    and its closing counts (kselftest's "# Totals:" line; a guest cannot know its number of
    steps in advance, so it prints no plan line). Lines inside the relayed driver-domain log
    (XPF-DOMU-LOG-BEGIN .. END) are that domain's raw output and are not dom0's results."""
    results: list[Result]
    totals: tuple[int, int] | None  # passed, failed, as the guest counted them
    version: bool

    @staticmethod
    def parse(lines: list[str]) -> "Ktap":
        results: list[Result] = []
        totals = None
        version = False
        diag: tuple[str, str] | None = None
        for line in split_relayed(lines)[0]:
            if line == "KTAP version 1":
                version = True
            elif m := KTAP_TOTALS.match(line):
                totals = (int(m[1]), int(m[2]))
            elif m := KTAP_DIAG.match(line):
                diag = (m[1], m[2])
            elif m := KTAP_RESULT.match(line):
                detail = diag[1] if diag and diag[0] == m[3] else ""
                results.append(Result(m[1] == "ok", int(m[2]), m[3], detail))
                diag = None
        return Ktap(results, totals, version)

    def broken(self) -> str:
        """Why the document is not whole (a result line lost or mangled on the way), or ''."""
        if not self.version:
            return "no 'KTAP version 1' line"
        if self.totals is None:
            return "no closing '# Totals:' line"
        passed, failed = self.totals
        n = passed + failed
        numbers = [r.number for r in self.results]
        if numbers != list(range(1, n + 1)):
            missing = sorted(set(range(1, n + 1)) - set(numbers))
            return f"{n} step(s) counted, {len(numbers)} result(s) read" + \
                (f", missing {missing[:10]}" if missing else f", numbered {numbers[:20]}")
        if sum(r.ok for r in self.results) != passed:
            return f"pass:{passed} counted, {sum(r.ok for r in self.results)} read"
        return ""


# A user-space crash (the kernel's "segfault at" / "traps: prog[pid] general protection", or a
# shell's report); a kernel GPF looks different ("general protection fault, probably ..."). A
# shell that cannot find a helper it ran a moment before ("line 54: xenstore-chmod: not found")
# is the same flake: busybox's own memory went bad.
USER_CRASH = re.compile(r"segfault at|Segmentation fault|traps: [^ ]+ general protection|malloc\(\): |"
                        r"Aborted|xpf-rogue killed by signal|line [0-9]+: [^ ]+: not found")
# The first report a guest kernel printed: a run with one is a verdict on the driver even when
# user space crashed too (a kernel bug that kills modprobe must not pass for the flake).
KERNEL_REPORT = re.compile(r"BUG: |Oops|general protection fault, |UBSAN:|KFENCE:|ODEBUG:|"
                           r"list_(add|del) corruption|Kernel panic")
# dom0's toolstack daemons crashed: nothing after can work; the host is stopped at once.
DOOMED = re.compile(r"(xenstored|xenconsoled)\[[0-9]+\]: segfault at|"
                    r"(xenstored|xenconsoled)\[[0-9]+\] general protection")


def judged_lines(lines: list[str]) -> list[str]:
    """The lines crashes and kernel reports are looked for in: not the watchdog's (a host about
    to be killed as hung; its own crashed xl must not make the hang a flake) nor the steps'
    own words (a diagnostic may quote a kernel message)."""
    return [l for l in lines if not l.startswith(("watchdog| ", "# "))
            and not KTAP_RESULT.match(l)]


def user_crash_lines(lines: list[str]) -> list[str]:
    """The user-space crash lines among the judged ones (the verdict, the ledger, kept logs)."""
    return [l for l in judged_lines(lines) if USER_CRASH.search(l)]


def kernel_report(lines: list[str]) -> str:
    return next((l for l in judged_lines(lines) if KERNEL_REPORT.search(l)), "")


def kernel_report_before_init(lines: list[str]) -> str:
    """The first kernel report printed before dom0's init said it was up, or ''."""
    boot = next((i for i, l in enumerate(lines) if l.startswith("XPF-BOOT dom0")), len(lines))
    return kernel_report(lines[:boot])


@dataclasses.dataclass
class Boot:
    """How the host's boot ended, as the runner saw it."""
    elapsed: int
    last_out: int       # seconds from the start to the last serial output
    hung: bool          # passed its deadline or went silent: stopped after a dump
    silent: bool
    hung_at: int        # serial lines before the dump
    timeout: int
    silence: int
    qemu_signal: int = 0  # QEMU died of this signal by itself (not stopped by the runner)


@dataclasses.dataclass
class Verdict:
    passed: bool
    why: str
    infra: bool         # not the driver's: the TCG flake or a stopped host
    crashes: int
    flaky_steps: int


HVM_TRIPLE_FAULT = re.compile(r"\(XEN\) d\d+v\d+ Triple fault - invoking HVM shutdown action")


def judge(lines: list[str], boot: Boot, must: tuple[str, ...]) -> tuple[Verdict, Ktap]:
    """The run's verdict from its serial lines (carriage returns removed)."""
    ktap = Ktap.parse(lines)
    crash_lines = user_crash_lines(lines)
    infra = ""
    if crash_lines:
        infra = ("INFRASTRUCTURE: a user-space program crashed inside the emulated host (TCG flake?), "
                 f"not a driver verdict: {crash_lines[0]}")
    if kbug := kernel_report(lines):
        infra = f"a kernel report, with {len(crash_lines)} user-space crash line(s): {kbug}"
        if kbug == kernel_report_before_init(lines):
            # dom0's own kernel stopped before its init ran: no domain but dom0 existed and
            # nothing of ours had run (our modules load in driver domains only).
            infra = ("INFRASTRUCTURE: dom0's kernel failed in its own boot, before its init ran "
                     f"(no driver domain existed yet), not a driver verdict: {kbug}")
    # The stubdom scenarios' HVM guest, an SVM guest of Xen under QEMU's TCG, triple-faults
    # about one boot in three, with either frontend in its stubdomain, early in its boot as
    # well as later (docs/stubdomain.md); libxl then restarts it without its devices. Its
    # failed steps are that, not a driver verdict: counted and retried like the TCG flake.
    # A kernel report (ours or dom0's) still outranks it.
    if not infra and (tf := next((l for l in lines if HVM_TRIPLE_FAULT.search(l)), "")):
        infra = ("INFRASTRUCTURE: the HVM guest triple-faulted (the nested-SVM fault under TCG, "
                 f"docs/stubdomain.md), not a driver verdict: {tf.strip()}")
    failed = [r for r in ktap.results if not r.ok]
    ended = any(l.startswith("XPF-END dom0") for l in lines)
    why = ""
    if boot.silent:
        # A PV driver domain has no way to stop dom0 (nor Xen, short of a Xen bug).
        why = (f"INFRASTRUCTURE: the whole host went silent for {boot.silence} s at {boot.last_out} s "
               "(not even dom0's heartbeat): Xen, dom0's kernel or QEMU stopped, not a driver verdict")
    elif boot.hung:
        why = infra or f"the host did not finish within {boot.timeout} s (hung guest)"
    elif boot.qemu_signal and not kbug:
        # The emulator, not anything it emulates: the guests' own lines stop mid-step.
        name = signal.Signals(boot.qemu_signal).name if boot.qemu_signal in signal.valid_signals() else "?"
        why = (f"INFRASTRUCTURE: QEMU itself died of signal {boot.qemu_signal} ({name}) at "
               f"{boot.elapsed} s (the build machine's dmesg has the fault), not a driver verdict")
    elif not ended:
        why = infra or "dom0 never reached the end of its scenario (Xen or dom0 crash?)"
    elif failed:
        why = infra or f"{len(failed)} step(s) failed"
    elif broken := ktap.broken():
        why = infra or f"dom0's KTAP document is not whole: {broken}"
    else:
        passed = {r.name for r in ktap.results if r.ok}
        # A crash before the proving step is the flake too: retried, not blamed on the driver.
        if missing := [m for m in must if m not in passed]:
            why = infra or f"step {missing[0]} never passed"
    flaky = sum(1 for l in lines if "XPF-FLAKE" in l)
    return Verdict(not why, why, why.startswith("INFRASTRUCTURE"), len(crash_lines), flaky), ktap


# --- The host ------------------------------------------------------------------------------

def vcpus_of(sc: Scenario) -> int:
    """The driver domain's vCPUs: the scenario's, or its environment variable's."""
    return int(os.environ.get(sc.vcpus_env) or sc.vcpus) if sc.vcpus_env else sc.vcpus


def cpu_model(sc: Scenario) -> str:
    """QEMU's -cpu: XPF_CPU, else the scenario's, else qemu64,+svm (see boot())."""
    return os.environ.get("XPF_CPU") or sc.cpu or "qemu64,+svm"


def qemu_bin() -> str:
    if q := os.environ.get("XPF_QEMU"):
        return q
    for d in os.environ.get("PATH", "").split(":"):
        if os.access(os.path.join(d, "qemu-system-x86_64"), os.X_OK):
            return "qemu-system-x86_64"
    raise SetupError("qemu-system-x86_64 missing: apt-get install qemu-system-x86 (make deps)")


class Fifo(threading.Thread):
    """Copies what QEMU writes to a named pipe into a file until QEMU closes it."""

    def __init__(self, fifo: Path, dest: Path):
        super().__init__(daemon=True)
        self.fifo, self.dest = fifo, dest

    def run(self) -> None:
        fd = os.open(self.fifo, os.O_RDONLY)  # blocks until QEMU opens its end
        with open(self.dest, "wb") as out:
            while b := os.read(fd, 65536):
                out.write(b)
                out.flush()
        os.close(fd)

    def stop(self) -> None:
        self.join(5)
        if self.is_alive():
            # Still waiting to open: QEMU never opened its end. A writer lets the open return.
            try:
                os.close(os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
            self.join(5)


def to_pipe(path: Path, data: bytes) -> None:
    """A write to a pipe QEMU reads; never blocks (QEMU gone: nothing is written)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    try:
        os.write(fd, data)
    except OSError:
        pass
    finally:
        os.close(fd)


# What a guest may ask of the host (a line "XPF-HOST-REQ <command> <words>" from dom0): only
# these commands of QEMU's monitor, with plain words. The AER scenario's error injection.
HOST_REQUESTS = {"pcie_aer_inject_error"}


def host_request(line: str) -> str | None:
    """The monitor command a guest's request line asks for, or None when it is not allowed."""
    words = line.split()[1:]
    if words and words[0] in HOST_REQUESTS and all(re.fullmatch(r"[A-Za-z0-9_.:-]+", w) for w in words):
        return " ".join(words)
    return None


def shown(line: str, diag: dict) -> str | None:
    """A serial line as the runner streams it while the host runs, or None."""
    if m := KTAP_DIAG.match(line):
        diag["last"] = (m[1], m[2])
    elif m := KTAP_RESULT.match(line):
        d = diag.get("last")
        detail = d[1] if d and d[0] == m[3] else ""
        return f"{'PASS' if m[1] == 'ok' else 'FAIL'} {m[3]}: {detail}"
    elif line.startswith(("XPF-BOOT", "XPF-END")):
        return line
    return None


def bench_first() -> str:
    """The bench's first domain in this boot, as dom0-bench.sh names it: the first round's
    (XPF_BENCH_FROM, 1 unless this boot takes over a dead one's rounds) first frontend, ours in
    odd rounds."""
    r = int(os.environ.get("XPF_BENCH_FROM", "1"))
    return f"{'ours' if r % 2 else 'intree'}-{r}"


def required_steps(sc: Scenario, cell: Cell) -> tuple[str, ...]:
    """The steps this cell must pass: the scenario's, the debug kernel's for ours there, the
    bench's first domain named as this boot has it."""
    return tuple(m.format(bench_first=bench_first())
                 for m in sc.must + (sc.must_debug if cell.debug_ours else ()))


def boot(cell: Cell, sc: Scenario, run: Path, img: Path, xen: Path) -> Boot:
    """Boots the host and watches it until dom0 ends, it hangs, goes silent, or dom0's
    toolstack dies. The serial log lands in run/serial.log."""
    log = run / "serial.log"
    cycles = cell.cycles or sc.cycles
    # The bench's rounds this boot runs (from XPF_BENCH_FROM on, when it takes over a dead boot's).
    rounds = int(os.environ.get("XPF_BENCH_ROUNDS", "3")) - int(os.environ.get("XPF_BENCH_FROM", "1")) + 1
    timeout = int(os.environ.get("XPF_TIMEOUT") or
                  sc.timeout + sc.timeout_per_cycle * cycles + sc.timeout_per_round * rounds)
    silence = int(os.environ.get("XPF_SILENCE", "180"))
    vcpus = vcpus_of(sc)

    xen_args = ("console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all dom0_mem=1024M,max:1024M"
                + (f" {os.environ['XPF_XEN_EXTRA']}" if os.environ.get("XPF_XEN_EXTRA") else ""))
    machine = ["-M", "q35"]
    if cell.topo == "iommu":
        xen_args += " iommu=1"
        machine += ["-device", "intel-iommu,intremap=on"]
    else:
        xen_args += " iommu=0"
    devs: list[str] = []
    for d in sc.devices:
        args, disks = DEVICES[d]
        for disk in disks:
            with open(run / disk, "wb") as f:
                f.truncate(64 << 20)
        devs += [a.format(run=run) for a in args]
    # dom0's command line: the scenario and its parameters (commas separate QEMU's multiboot
    # modules: lists travel with '+').
    words = {"xpf_scenario": cell.scenario, "xpf_frontend": cell.frontend, "xpf_topo": cell.topo,
             "xpf_pciback": cell.pciback, "xpf_pt": "+".join(sc.passthrough), "xpf_vcpus": vcpus,
             "xpf_deadline": timeout}  # dom0's watchdog speaks up shortly before it
    if cycles:
        words["xpf_cycles"] = cycles
    for env, word in (("XPF_ROGUE_LIST", "xpf_rogue_list"), ("XPF_ROGUE_WAIT", "xpf_rogue_wait"),
                      ("XPF_BENCH_ROUNDS", "xpf_bench_rounds"), ("XPF_BENCH_PIN", "xpf_bench_pin"),
                      ("XPF_BENCH_SPIN", "xpf_bench_spin"), ("XPF_BENCH_TRACE", "xpf_bench_trace"),
                      ("XPF_BENCH_FROM", "xpf_bench_from")):
        if v := os.environ.get(env):
            words[word] = v.replace(",", "+")
    if cell.clocksource:
        words["xpf_clocksource"] = cell.clocksource
    if cell.e820:
        # e820_host=1 in a hotplug domain's config: what a 6.5+ kernel needs to set up
        # xen-swiotlb at boot for a domain started without a device.
        words["xpf_e820_host"] = 1
    dom0_args = "console=hvc0 earlyprintk=xen rdinit=/init " + " ".join(f"{k}={v}" for k, v in words.items())

    print(f"xenhost: scenario '{cell.scenario}', frontend '{cell.frontend}', topology '{cell.topo}', "
          f"pciback {cell.pciback}, kernel {cell.kver}, Xen {HOSTS[cell.host][0]} ({cell.host} host)")
    print(f"xenhost: serial log {log} (bounded to {timeout} s)", flush=True)
    # The serial line and QEMU's monitor go through pipes, so that a hung host can still be
    # asked where it is: Xen's debug keys on the serial line, the vCPUs' registers from QEMU.
    for p in ("ser.in", "ser.out", "mon.in", "mon.out"):
        os.mkfifo(run / p)
    readers = [Fifo(run / "ser.out", log), Fifo(run / "mon.out", run / "monitor.txt")]
    for r in readers:
        r.start()
    # -cpu qemu64,+svm, not max: with max, user space in PV domains crashes under TCG (a process
    # running with another's TLS; 687 of 1500 pipelines on 4 vCPUs), with qemu64,+svm none did
    # (docs/testing.md, "Known infrastructure flake"). Without svm Xen did not finish; max
    # needs -smap (with SMAP, TCG kills a PV dom0 at once: create_bounce_frame #PF).
    cmd = [qemu_bin(), "-accel", os.environ.get("XPF_ACCEL", "tcg"),
           "-cpu", cpu_model(sc), "-smp", os.environ.get("XPF_SMP", "2"),
           "-m", "3072", *machine, "-display", "none", "-no-reboot", "-monitor", f"pipe:{run}/mon",
           "-chardev", f"pipe,id=ser0,path={run}/ser", "-serial", "chardev:ser0", "-nic", "none",
           "-netdev", "hubport,id=pt0,hubid=0",
           "-device", "e1000,netdev=pt0,addr=02.0,romfile=,mac=52:54:00:12:34:02",
           "-netdev", "hubport,id=d0,hubid=0",
           "-device", "e1000,netdev=d0,addr=03.0,romfile=,mac=52:54:00:12:34:03",
           *devs, "-kernel", str(xen), "-append", xen_args,
           "-initrd", f"{img}/vmlinuz {dom0_args},{img}/dom0.cpio.gz"]
    start = time.monotonic()
    with open(run / "qemu.log", "wb") as qlog:
        qemu = subprocess.Popen(cmd, stdout=qlog, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def now() -> int:
        return int(time.monotonic() - start)

    def hang_dump(silent: bool) -> None:
        # Xen's own view (three Ctrl-A give the serial line to Xen; d: each CPU's registers
        # and stack, q: domains and vCPUs, i: interrupt bindings, M: MSI state) and QEMU's
        # (every vCPU's registers: an RIP at 0xffff82d0... is in Xen, 0xffffffff... in a
        # guest kernel). The registers land in monitor.txt, and then in the serial log.
        print(f"xenhost: nothing on the serial line for {silence} s: asking Xen and QEMU where the vCPUs are"
              if silent else "xenhost: the host passed its deadline: asking Xen and QEMU where its vCPUs are",
              flush=True)
        to_pipe(run / "ser.in", b"\x01\x01\x01")
        time.sleep(1)
        for key in b"dqiM":
            to_pipe(run / "ser.in", bytes([key]))
            time.sleep(4)
        to_pipe(run / "mon.in", b"info registers -a\n")
        time.sleep(2)

    seen = 0          # bytes of the log read so far
    nlines = 0
    partial = b""
    diag: dict = {}
    ended = doomed = hung_t = None
    hung = silent = False
    hung_at = 0
    last_out = 0
    try:
        while qemu.poll() is None:
            time.sleep(1)
            try:
                with open(log, "rb") as f:
                    f.seek(seen)
                    data = f.read()
            except FileNotFoundError:
                data = b""
            if data:
                seen += len(data)
                last_out = now()
                chunks = (partial + data).split(b"\n")
                partial = chunks.pop()
                for raw in chunks:
                    nlines += 1
                    line = raw.decode("utf-8", "replace").replace("\r", "")
                    if s := shown(line, diag):
                        print(f"  | {s}", flush=True)
                    if line.startswith("XPF-HOST-REQ "):
                        if cmd := host_request(line):
                            to_pipe(run / "mon.in", f"{cmd}\n".encode())
                            print(f"xenhost: dom0 asked QEMU's monitor for: {cmd}", flush=True)
                        else:
                            print(f"xenhost: refused dom0's request '{line[:120]}'", flush=True)
                    if ended is None and line.startswith("XPF-END dom0"):
                        ended = now()
                    if ended is not None and "Entering ACPI S5" in line:
                        qemu.terminate()
                    if doomed is None and DOOMED.search(line):
                        doomed = now()
                        print("xenhost: a toolstack daemon of dom0 crashed: stopping the host now", flush=True)
                        qemu.terminate()
            # Xen's S5 entry does not stop QEMU's q35 under TCG: once dom0 has said its last
            # line, QEMU is stopped here.
            if ended is not None and now() - ended >= 15:
                qemu.terminate()
            if doomed is not None and now() - doomed >= 30:
                qemu.kill()
            # A host with nothing at all on its serial line for so long has stopped: dom0
            # says XPF-ALIVE every 60 s (dom0-init).
            if ended is None and now() - last_out >= silence:
                silent = True
            if not hung and (silent or now() >= timeout):
                hung, hung_t, hung_at = True, now(), nlines
                hang_dump(silent)
                qemu.terminate()
            if hung and now() - hung_t >= 30:  # a QEMU that does not end on SIGTERM
                qemu.kill()
    finally:
        if qemu.poll() is None:
            qemu.kill()
        qemu.wait()
        for r in readers:
            r.stop()
    # A signal the runner did not send: QEMU crashed (seen once: SIGSEGV under TCG during a
    # hot-attach with the emulated IOMMU).
    died = -qemu.returncode if qemu.returncode < 0 and not hung and ended is None and doomed is None else 0
    if died:
        print(f"xenhost: QEMU died of signal {died} at {now()} s", flush=True)
    if hung:
        regs = [l for l in (run / "monitor.txt").read_text(errors="replace").splitlines()
                if re.match(r"(CPU#|RIP=|CS =|CR0=)", l)]
        with open(log, "a") as f:
            f.write("qemu| vCPU registers at the deadline (info registers -a):\n")
            f.writelines(f"qemu| {l}\n" for l in regs)
    return Boot(now(), last_out, hung, silent, hung_at, timeout, silence, died)


# --- One cell, with its retries ------------------------------------------------------------

@dataclasses.dataclass
class Outcome:
    cell: Cell
    verdict: Verdict
    steps: list[Result]
    run: Path
    tries: int

    @property
    def passed(self) -> bool:
        return self.verdict.passed

    def digest(self) -> str:
        why = XH / "why" / f"{self.cell.name}.txt"
        return why.read_text() if why.is_file() else self.verdict.why


def relayed(lines: list[str], tag: str) -> list[str]:
    """The driver domain's lines with TAG, from the relayed logs (XPF-DOMU-LOG-BEGIN .. END)."""
    return [l for l in split_relayed(lines)[1] if tag in l]


def write_digest(cell: Cell, v: Verdict, boot_: Boot, lines: list[str], run: Path, tries: int) -> None:
    """The failure in a few lines, for the end of `make check` (CI shows only its last lines):
    the verdict, the failed steps, the end of what the driver domain said (dom0 prints its tail,
    with its blocked tasks, when a handshake timed out) or else of the serial log."""
    out = [f"{cell.label}: {v.why}" + (f" (try {tries}, after {tries - 1} infrastructure failure(s))"
                                       if tries > 1 else "")]
    failed = [r for r in Ktap.parse(lines).results if not r.ok]
    out += [f"  FAIL {r.name}: {r.detail}"[:400] for r in failed]
    # A failed rogue round: what dom0's rogue said of it (how far the frontend got, how many ops).
    for r in failed:
        if m := re.fullmatch(r"domU:rogue-([a-z]+)", r.name):
            out += [f"  {l}"[:200] for l in lines if f"xpf-rogue[{m.group(1)}]" in l][:8]
    out += [f"  report| {l[len('XPF-REPORT '):]}"[:200] for l in lines if l.startswith("XPF-REPORT ")][:70]
    if watchdog := [l[len("watchdog| "):] for l in lines if l.startswith("watchdog| ")]:
        out += [f"  {l}"[:160] for l in watchdog[:50]]
    elif tail := [re.sub(r"^\[[ 0-9.]*\] ", "", l[len("domU-tail| "):]) for l in lines
                  if l.startswith("domU-tail| ")]:
        out += [f"  domU| {l}"[:160] for l in tail if l.strip()][-25:]
    else:
        head = lines[:boot_.hung_at] if boot_.hung else lines
        keep = [l for l in head if l.strip() and "Already setup the GSI" not in l
                and not l.startswith("XPF-ALIVE")]
        out += [f"  serial| {l}"[:160] for l in keep[-12:]]
    # What QEMU itself said, and how much the serial line carried: a why with nothing else in
    # it still says where to look.
    qlog = (run / "qemu.log").read_text(errors="replace").splitlines() if (run / "qemu.log").is_file() else []
    out += [f"  qemu| {l}"[:160] for l in qlog if l.strip() and "hub 0 is not connected" not in l][-5:]
    size = (run / "serial.txt").stat().st_size
    out.append(f"  serial log: {len(lines)} lines, {size} bytes; last output at {boot_.last_out} s "
               f"of {boot_.elapsed} s: {run}/serial.txt")
    if boot_.hung:
        out.append("  where the vCPUs were (Xen's 'd' key, then QEMU):")
        out += [f"  {l}"[:140] for l in lines[boot_.hung_at:]
                if re.search(r"\(XEN\) (\*\*\*.*CPU|RIP:)|^qemu\| (CPU#|RIP=)", l)]
    (XH / "why").mkdir(parents=True, exist_ok=True)
    (XH / "why" / f"{cell.name}.txt").write_text("\n".join(out) + "\n")


def run_cell(cell: Cell, retries: int | None = None) -> Outcome:
    """Runs a cell, again after an infrastructure failure (the TCG user-space flake, a host
    that stopped) up to `retries` times (XPF_RETRIES, default 3). Each retry is said, counted
    in build/xenhost/retries/ for the summary, and its log kept."""
    cell = cell.resolve()
    sc = Scenario.load(cell.scenario)
    if sc.pciback and cell.pciback == "vpci":
        cell = dataclasses.replace(cell, pciback=sc.pciback)
    retries = int(os.environ.get("XPF_RETRIES", "3")) if retries is None else retries
    xenv, img_dir = HOSTS[cell.host]
    env = {"XPF_HOST": cell.host}
    if sc.stubdom:
        env["XPF_STUBDOM"] = "1"
    if sc.package:
        # Our modules' package for this kernel (scripts/deb.sh): images.sh installs it with dpkg.
        deb = sh(TOP / "scripts/deb.sh", cell.kver).splitlines()[-1]
        env["XPF_PKG_DEB"] = str(TOP / deb.removeprefix("deb: "))
    # For images.sh only: the next cell of a pytest session must not inherit them.
    r = subprocess.run([str(TOP / "tests/xenhost/images.sh"), cell.kver], env={**os.environ, **env})
    if r.returncode != 0:
        raise SetupError(f"building the images for {cell.kver} failed (images.sh, above)")
    run = XH / "runs" / cell.name
    (XH / "why" / f"{cell.name}.txt").unlink(missing_ok=True)
    tries = 0
    while True:
        tries += 1
        if run.exists():
            subprocess.run(["rm", "-rf", str(run)], check=True)
        run.mkdir(parents=True)
        b = boot(cell, sc, run, img_dir / cell.kver, XH / f"xen-{xenv}.elf")
        raw = (run / "serial.log").read_bytes() if (run / "serial.log").is_file() else b""
        text = raw.decode("utf-8", "replace").replace("\r", "")
        (run / "serial.txt").write_text(text)
        lines = text.splitlines()
        v, ktap = judge(lines, b, required_steps(sc, cell))
        append_ledger(ledger_record(cell, sc, v, b, lines, tries))
        (run / "steps.txt").write_text("".join(f"{r}\n" for r in ktap.results))
        (run / "domu-show.txt").write_text(
            "".join("  domU|" + l.split("XPF-SHOW", 1)[1] + "\n" for l in relayed(lines, "XPF-SHOW")))
        (run / "lspci-vvv.txt").write_text(
            "".join(l.split("XPF-LSPCI ", 1)[1] + "\n" for l in relayed(lines, "XPF-LSPCI ")))
        if v.crashes:
            print(f"xenhost: {v.crashes} user-space crash line(s) in this run (TCG flake); "
                  f"{v.flaky_steps} step(s) re-run after one")
        print(f"xenhost: steps ({cell.scenario}, {cell.frontend}, {cell.topo}, pciback {cell.pciback}):")
        for r in ktap.results:
            print(f"  {r}")
        print(f"xenhost: {sum(r.ok for r in ktap.results)} passed, "
              f"{sum(not r.ok for r in ktap.results)} failed in {b.elapsed} s")
        print(f"xenhost: {'PASS' if v.passed else 'FAIL'} {cell.label}" + ("" if v.passed else f": {v.why}"),
              flush=True)
        if not v.passed and v.infra and tries <= retries:
            keep = run.parent / f"{cell.name}.infra-flake-{tries}.log"
            keep.write_bytes(raw)
            (XH / "retries").mkdir(parents=True, exist_ok=True)
            with open(XH / "retries" / f"{cell.name}.txt", "a") as f:
                f.write(f"{cell.label}: {v.why}"[:200] + "\n")
            print(f"xenhost: infrastructure failure, retry {tries} of {retries} (log kept as {keep.name})",
                  flush=True)
            continue
        if not v.passed:
            write_digest(cell, v, b, lines, run, tries)
            print(f"xenhost: look at {run}/serial.txt (Xen + dom0 console, the driver domain's lines relayed)")
        return Outcome(cell, v, ktap.results, run, tries)


def retry_report() -> list[str]:
    """The lines that end the scenarios' summary: how many infrastructure retries were made,
    then each. Zero is the target and the common case."""
    lines = []
    d = XH / "retries"
    for f in sorted(d.glob("*.txt")) if d.is_dir() else []:
        lines += f.read_text().splitlines()
    n = len(lines)
    return [f"xenhost: {n} infrastructure retr{'y' if n == 1 else 'ies'} (the TCG user-space flake or a stopped host)"] \
        + [f"  retried: {l}" for l in lines]


# --- The ledger: every run's outcome, for crash rates per scenario --------------------------

def ledger_path() -> Path:
    """Where each run appends its outcome: XPF_LEDGER, else the machine's cache (kept across
    clones and sessions on one machine), else build/ when that cannot be written."""
    if p := os.environ.get("XPF_LEDGER"):
        return Path(p)
    cache = Path("/var/cache/xen-pcifront-cxx")
    return cache / "xenhost-runs.jsonl" if os.access(cache, os.W_OK) else XH / "xenhost-runs.jsonl"


@functools.cache
def qemu_version() -> str:
    """The emulator's own version line, shortened ("QEMU 7.2.19 (Debian 1:7.2+dfsg-7+deb12u18)")."""
    try:
        out = subprocess.run([qemu_bin(), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError, SetupError):
        return "?"
    m = re.search(r"version (\S+)(?: \(([^)]*)\))?", out)
    return f"QEMU {m[1]}" + (f" ({m[2]})" if m and m[2] else "") if m else "?"


def classify(v: Verdict) -> str:
    """One word for a try: pass, crash (a user-space crash line, whatever the verdict), infra
    (another infrastructure failure: QEMU died, a silent host, dom0's boot) or fail."""
    if v.crashes:
        return "crash"
    return "pass" if v.passed else "infra" if v.infra else "fail"


def ledger_record(cell: Cell, sc: Scenario, v: Verdict, b: Boot, lines: list[str], tries: int) -> dict:
    crash = next(iter(user_crash_lines(lines)), "")
    return {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cell": cell.name,
            "scenario": cell.scenario, "frontend": cell.frontend, "host": cell.host, "kver": cell.kver,
            "qemu": qemu_version(), "cpu": cpu_model(sc),
            "vcpus": vcpus_of(sc), "try": tries, "elapsed": b.elapsed, "outcome": classify(v),
            "crash_lines": v.crashes, "first_crash": crash[:160], "why": v.why[:160]}


SESSION_RECORDS: list[dict] = []  # this process's tries, for the end of a pytest session


def append_ledger(rec: dict) -> None:
    SESSION_RECORDS.append(rec)
    p = ledger_path()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "a") as f:
            f.write(json.dumps(rec, sort_keys=True) + "\n")
    except OSError as e:
        print(f"xenhost: could not append to the run ledger {p}: {e}", file=sys.stderr)


def scan_kept_logs(top: Path) -> list[dict]:
    """Records for the serial logs a run left under TOP (runs/*/serial.txt and the logs of
    retried tries): the runs before the ledger existed. Which QEMU ran is read from dom0's
    firmware line (each Debian QEMU comes with its suite's SeaBIOS)."""
    recs = []
    for f in sorted(top.rglob("runs/*/serial.txt")) + sorted(top.rglob("runs/*.infra-flake-*.log")):
        lines = f.read_text(errors="replace").replace("\r", "").splitlines()
        if not any(l.startswith("XPF-BOOT dom0") for l in lines):
            continue  # stopped before dom0 was up: nothing ran that could crash
        bios = next((m[1] for l in lines if (m := re.search(r"DMI: .*BIOS (\S+)", l))), "?")
        crashes = user_crash_lines(lines)
        name = f.parent.name if f.name == "serial.txt" else f.name.split(".infra-flake-")[0]
        recs.append({"cell": name, "scenario": name.split("-")[0], "qemu": f"SeaBIOS {bios} (kept log)",
                     "outcome": "crash" if crashes else "kept", "crash_lines": len(crashes),
                     "first_crash": crashes[0][:160] if crashes else "", "log": str(f)})
    return recs


def upper95(k: int, n: int) -> float:
    """The one-sided 95% upper bound of a rate seen k times in n runs (Clopper-Pearson; for k=0
    the rule of three's exact form, 1 - 0.05^(1/n)), by bisection on the binomial tail."""
    if n == 0:
        return 1.0
    if k >= n:
        return 1.0
    lo, hi = k / n, 1.0
    for _ in range(60):
        p = (lo + hi) / 2
        tail = sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1))
        lo, hi = (p, hi) if tail > 0.05 else (lo, p)
    return hi


# Which QEMU ran a kept log, by the SeaBIOS its suite ships with it.
SEABIOS_QEMU = {"1.16.2-debian-1.16.2-1": "QEMU 7.2 (Debian 12)", "1.16.3-debian-1.16.3-2": "QEMU 10.0 (Debian 13)"}


def qemu_family(qemu: str) -> str:
    """"QEMU 7.2 (Debian 12)" from a ledger's version line or a kept log's SeaBIOS; else as is."""
    if m := re.match(r"QEMU (\d+\.\d+)\.\S* \(Debian [^)]*deb(\d+)", qemu):
        return f"QEMU {m[1]} (Debian {m[2]})"
    if m := re.match(r"SeaBIOS (\S+) \(kept log\)", qemu):
        return SEABIOS_QEMU.get(m[1], qemu)
    return qemu


def rates_table(recs: list[dict]) -> list[str]:
    """Per scenario and QEMU: runs, runs with a user-space crash, the rate per 100 runs and its
    95% upper bound, and the other infrastructure failures."""
    by: dict[tuple[str, str], list[dict]] = {}
    for r in recs:
        by.setdefault((r["scenario"], qemu_family(r["qemu"])), []).append(r)
    out = [f"{'scenario':<12} {'QEMU':<44} {'runs':>5} {'crashed':>7} {'per 100':>8} {'95% upper':>9} {'other infra':>11}"]
    for (sc, q), rs in sorted(by.items()):
        n, k = len(rs), sum(r["outcome"] == "crash" for r in rs)
        other = sum(r["outcome"] == "infra" for r in rs)
        out.append(f"{sc:<12} {q[:44]:<44} {n:>5} {k:>7} {100 * k / n:>8.1f} {100 * upper95(k, n):>9.1f} {other:>11}")
    n, k = len(recs), sum(r["outcome"] == "crash" for r in recs)
    if recs:
        out.append(f"{'all':<12} {'':<44} {n:>5} {k:>7} {100 * k / n:>8.1f} {100 * upper95(k, n):>9.1f} "
                   f"{sum(r['outcome'] == 'infra' for r in recs):>11}")
    for r in recs:
        if r["outcome"] == "crash":
            out.append(f"  crash in {r['cell']} ({r.get('time', r.get('log', ''))}): {r['first_crash']}")
    return out


def read_ledger(p: Path) -> list[dict]:
    recs = []
    for i, line in enumerate(p.read_text().splitlines(), 1):
        try:
            recs.append(json.loads(line))
        except json.JSONDecodeError:
            print(f"xenhost: {p}:{i}: not a ledger line, skipped", file=sys.stderr)
    return recs


# --- Side-by-side tables -------------------------------------------------------------------

def facts_table(scenario: str) -> list[str]:
    """Each FACT the driver domain recorded (domu-msi.sh, domu-hotplug.sh, domu-rogue.sh), as
    seen by each run of the scenario in build/: the in-tree frontend first, then ours in each
    topology and pciback mode that was run."""
    runs = [f"{scenario}-intree-iommu", f"{scenario}-ours-iommu", f"{scenario}-ours-noiommu"]
    for d in sorted((XH / "runs").glob(f"{scenario}-*")):
        if d.name not in runs and (d / "domu-show.txt").is_file():
            runs.append(d.name)
    facts: dict[str, dict[str, str]] = {}
    have = []
    for r in runs:
        f = XH / "runs" / r / "domu-show.txt"
        if not f.is_file():
            continue
        have.append(r)
        for line in f.read_text().splitlines():
            if m := re.match(r"^  domU\| FACT ([^:]*): ([a-z]*) (.*)", line):
                facts.setdefault(m[1], {}).setdefault(r, f"{m[2]} {m[3]}"[:24])
    if not have:
        return [f"no {scenario} runs under {XH}/runs: run tests/xenhost/run.sh --scenario {scenario} first"]
    out = ["fact".ljust(32) + "".join(f" | {r.removeprefix(scenario + '-'):<24}" for r in have)]
    for name, by in facts.items():
        # Reload rounds 2..4 repeat round 1, and hotplug cycles 2 and 3 repeat cycle 1.
        if re.search(r"-[234]$", name):
            continue
        out.append(name.ljust(32) + "".join(f" | {by.get(r, '-'):<24}" for r in have))
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="xenhost.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="one cell")
    r.add_argument("--scenario", default="baseline")
    r.add_argument("--frontend", default="intree", choices=FRONTENDS)
    r.add_argument("--topology", default="iommu", choices=TOPOLOGIES)
    r.add_argument("--kver", default="")
    r.add_argument("--pciback", default="vpci", choices=PCIBACK_MODES)
    r.add_argument("--host", default=os.environ.get("XPF_HOST", "bookworm"), choices=tuple(HOSTS))
    r.add_argument("--cycles", type=int, default=int(os.environ.get("XPF_HOTPLUG_CYCLES", "0")))
    r.add_argument("--e820-host", action="store_true", default=bool(os.environ.get("XPF_E820_HOST")))
    r.add_argument("--suffix", default=os.environ.get("XPF_RUN_SUFFIX", ""))
    r.add_argument("--clocksource", default="", help="the driver domain's (tsc)")
    t = sub.add_parser("table", help="a scenario's facts side by side")
    t.add_argument("scenario")
    rt = sub.add_parser("rates", help="user-space crashes per 100 runs of each scenario")
    rt.add_argument("--scan", action="append", default=[], type=Path,
                    help="a directory with kept runs (a clone's build/xenhost), read as well")
    rt.add_argument("ledger", nargs="*", type=Path, help="ledger files (default: XPF_LEDGER's)")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "rates":
            files = a.ledger or [ledger_path()]
            recs = [r for p in files if p.is_file() for r in read_ledger(p)]
            recs += [r for d in a.scan for r in scan_kept_logs(d)]
            if not recs:
                print(f"xenhost: no runs recorded ({' '.join(map(str, files))}) and none kept", file=sys.stderr)
                return 1
            print("\n".join(rates_table(recs)))
            return 0
        if a.cmd == "table":
            print("\n".join(facts_table(a.scenario)))
            return 0
        cell = Cell(a.scenario, a.frontend, a.topology, a.kver, a.pciback, a.host, a.cycles,
                    a.e820_host, a.suffix, a.clocksource)
        return 0 if run_cell(cell).passed else 1
    except SetupError as e:
        print(f"xenhost: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
