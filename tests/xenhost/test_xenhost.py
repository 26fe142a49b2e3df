# SPDX-License-Identifier: GPL-2.0
"""The emulated-host matrix: frontend x topology x kernel x host generation, a pytest parameter
per cell. `make check` runs --cells check; `make matrix` --cells matrix (hours); `make compare`
--cells compare (the in-tree frontend's runs, for the side-by-side tables in docs/). A cell is
"SCENARIO FRONTEND TOPOLOGY [word...]" (xenhost.Cell.parse); the scenario's devices, timeout and
proving steps are in scenarios/SCENARIO.toml. One host at a time: the cells run in order."""
import os
import subprocess

import pytest

import xenhost

CHECK = [
    "baseline ours iommu",
    # The driver domain booted on the tsc clocksource (the frontend's op waits take Xen's time
    # from elsewhere; the rogue's silent round switches between xen and tsc under a held op).
    "baseline ours iommu tsc",
    # Our package installed with dpkg in the driver domain's image, loaded by alias; then a
    # domain booted from the image after `dpkg -r`: the in-tree frontend (whose lspci -vvv
    # ours must match, below). On the 6.1 and the 6.12 kernel.
    "install ours iommu",
    "install ours iommu 6.12",
    # PCI hotplug: e1000 attach/detach cycles, then cycles around an attached NVMe; without an
    # IOMMU with pciback in passthrough mode, where an attach brings a new root bus.
    "hotplug ours iommu 3",
    "hotplug ours noiommu 3 passthrough",
    # On 6.12 a domain started without a device needs e820_host=1 for xen-swiotlb (set up only
    # at boot since 6.5); without it, an attached device is refused.
    "hotplug ours iommu 3 6.12 e820",
    "dmarefuse ours iommu 6.12",
    # The passed-through function removed in dom0 under a bound driver.
    "surprise ours iommu",
    # A real PCIe error (QEMU's AER injection) on a virtio-net NIC behind a root port, which
    # dom0's AER core and pciback forward: answered as the AER core would for a driver without
    # handlers, so pciback does not ask for the domain to be killed.
    "aer ours iommu",
    # The toolstack removes our xenstore directory under a bound driver (a dead backend
    # domain): on 6.1 our own check, on sid's 7.2 the 2026 core's vanished flag.
    "vanish ours iommu",
    "vanish ours iommu sid",
    # Debian 13's kernel in the driver domain (dom0 stays Debian 12's 6.1).
    "baseline ours iommu trixie",
    # Debian 13's host: Xen 4.20, its 6.12 in dom0 (pciback, toolstack) and driver domain.
    "baseline ours iommu host-trixie",
    # The debug kernel in the driver domain (scripts/debug-kernel.sh: lockdep, UBSAN, kmemleak,
    # object/list/SLUB debugging, KFENCE): any report fails the step.
    "baseline ours iommu debug",
    # MSI and MSI-X (NVMe, e1000e, AHCI) across driver reloads, on the debug kernel: the same
    # 6.1 source as Debian's, with every check on (Debian's own 6.1 runs it in make matrix).
    "msi ours iommu debug",
    "hotplug ours iommu 3 debug",
    # A hostile backend: dom0's xpf-rogue in place of pciback, twelve misbehaviours, on the
    # debug kernel (the same 6.1 source as Debian's, with every check on).
    "rogue ours iommu debug",
    # The same rounds with the driver domain booted on tsc: no clocksource time base for the op
    # wait, and the silent round still bounded while the clocksource flips (issue 18.1).
    "rogue ours iommu tsc",
    # 4 vCPUs on the 2 cores (Debian 12's 6.12): NVMe I/O, config reads and a ping from every
    # vCPU while the op channel's irq moves between them.
    "smp ours iommu 6.12",
]
# What CI's time leaves out: the rogue rounds and msi on Debian's own 6.1 (make check runs both on
# the debug kernel), longer hotplug runs, the topology without an IOMMU, and each scenario on the
# newer suites' kernels.
MATRIX = CHECK + [
    "rogue ours iommu",
    "msi ours iommu",
    "hotplug ours iommu 5",
    "hotplug ours noiommu 5 passthrough",
    "msi ours iommu tsc",
    "baseline intree noiommu",
    "baseline ours noiommu",
    "msi ours noiommu",
    "baseline ours iommu 6.12", "baseline ours iommu sid",
    "msi ours iommu 6.12", "msi ours iommu trixie", "msi ours iommu sid",
    "hotplug ours iommu 3 trixie e820", "hotplug ours iommu 3 sid e820",
    # The rogue's domain starts without a device: 6.5+ kernels need e820_host=1 for xen-swiotlb.
    "rogue ours iommu 6.12 e820", "rogue ours iommu trixie e820", "rogue ours iommu sid e820",
    "install ours iommu trixie", "install ours iommu sid",
    "baseline intree iommu 6.12", "baseline intree iommu trixie", "baseline intree iommu sid",
    "msi ours iommu host-trixie", "baseline intree iommu host-trixie",
    # An HVM guest's e1000 and NVMe through its device model in a PV Linux stubdomain (Debian
    # 12's host), ours on 6.1 and 6.12 (which has no xen-swiotlb there), and the in-tree
    # frontend beside it. Not in make check: about 4 min a cell, and CI is near its hour.
    "stubdom ours iommu", "stubdom ours iommu 6.12", "stubdom intree iommu",
    # The same on Debian 13's host (Xen 4.20, QEMU 10 in dom0 and in the stubdomain).
    "stubdom ours iommu host-trixie", "stubdom intree iommu host-trixie",
    # Then the guest rebooted (a new stubdomain, ours loaded there anew, the same devices) and
    # the stubdomain destroyed under its guest, on both hosts.
    "stubreboot ours iommu", "stubreboot ours iommu host-trixie",
]
COMPARE = [
    "baseline intree iommu",
    "baseline intree iommu tsc",
    "modload ours iommu",
    "msi intree iommu",
    "hotplug intree iommu 5",
    "surprise intree iommu",
    "aer intree iommu",
    "vanish intree iommu",
    "vanish intree iommu sid",
    "baseline intree iommu 6.12",
    "baseline intree iommu trixie",
    "baseline intree iommu sid",
    "baseline intree iommu host-trixie",
    # The in-tree frontend on the debug kernel: what its checks report there.
    "baseline intree iommu debug", "msi intree iommu debug", "hotplug intree iommu 3 debug",
    "smp intree iommu 6.12",
    "stubdom intree iommu", "stubdom intree iommu host-trixie",
    "stubreboot intree iommu", "stubreboot intree iommu host-trixie",
    # The rounds after which the in-tree frontend still answers within the harness's bounds;
    # silent, late and vanish each keep it spinning for minutes.
    "rogue intree iommu",
]
# What make matrix adds to make check, alone: for a tree whose make check just passed.
EXTRA = [c for c in MATRIX if c not in CHECK]
CELLS = {"check": CHECK, "matrix": MATRIX, "extra": EXTRA, "compare": COMPARE}


def pytest_generate_tests(metafunc):
    which = metafunc.config.getoption("cells")
    if "cell" in metafunc.fixturenames:
        metafunc.parametrize("cell", CELLS[which], ids=[c.replace(" ", "-") for c in CELLS[which]])
    if "topo" in metafunc.fixturenames:
        topos = {"check": ["iommu"], "matrix": ["iommu", "noiommu"], "extra": ["noiommu"],
                 "compare": []}[which]
        metafunc.parametrize("topo", topos)


@pytest.fixture(scope="session", autouse=True)
def fresh_records(request):
    """Each failed run leaves its digest in build/xenhost/why, each retry a line in retries/:
    from this session only. The summary's tables and retry count follow the session."""
    subprocess.run(["rm", "-rf", str(xenhost.XH / "why"), str(xenhost.XH / "retries")], check=True)
    if request.config.getoption("cells") == "compare":
        os.environ.setdefault("XPF_ROGUE_LIST", "good,garbage,flip,storm,badroots,manyroots,flap,reconf,aer")
    request.config.xpf_cells_ran = True


def test_cell(cell):
    try:
        out = xenhost.run_cell(xenhost.Cell.parse(cell))
    except xenhost.SetupError as e:  # a kernel, image or package that could not be had
        pytest.fail(f"{cell}: {e}", pytrace=False)
    if not out.passed:
        pytest.fail(out.digest(), pytrace=False)


def test_lspci_identical(topo):
    """Drivers must not tell the frontends apart: the passed-through NIC's `lspci -vvv` in the
    driver domain is the same under ours as under the in-tree one. With an IOMMU the in-tree
    side is the install scenario's second domain (package removed)."""
    runs = xenhost.XH / "runs"
    a = runs / ("install-ours-iommu" if topo == "iommu" else f"baseline-intree-{topo}") / "lspci-vvv.txt"
    b = runs / f"baseline-ours-{topo}" / "lspci-vvv.txt"
    for f in (a, b):
        # A capture without the BARs is a broken relay, not a match.
        if not f.is_file() or "Region 0:" not in f.read_text():
            pytest.fail(f"{f}: missing, or without the NIC's BARs", pytrace=False)
    diff = subprocess.run(["diff", "-u", str(a), str(b)], capture_output=True, text=True)
    assert diff.returncode == 0, f"lspci -vvv differs between the frontends:\n{diff.stdout}"
