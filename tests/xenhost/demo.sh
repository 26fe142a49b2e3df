#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boots the emulated Xen host, starts a PV driver domain with an e1000 passed
# through (emulated VT-d), and shows it working; then loads our module set in the same kind of
# domain. Usage: demo.sh [KVER]
source "$(dirname "$0")/../lib/common.sh"
kver=${1:-$("$TOP/scripts/kver.sh" 6.1)}
say "demo: Xen 4.17 under QEMU (TCG, no KVM): dom0 with the real toolstack, and a PV driver"
say "demo: domain 'drv' given the e1000 at 0000:00:02.0 with xl create pci=[...]."
say "demo: The frontend in this run is the in-tree xen-pcifront: ours does not drive devices yet"
say "demo: (its config-space driver is the next milestone; see README, 'Status')."
echo
"$TOP/tests/xenhost/run.sh" --scenario baseline --frontend intree --topology iommu --kver "$kver"
run=$BUILD/xenhost/runs/baseline-intree-iommu
echo
say "demo: what the driver domain saw (lspci -k inside domU 'drv'):"
sed -n '/XPF-SHOW lspci -k:/,/XPF-DOMU-STEP/p' "$run/serial.txt" | grep '^XPF-SHOW  ' | sed 's/^XPF-SHOW  /   /'
echo
"$TOP/tests/xenhost/run.sh" --scenario modload --frontend ours --topology iommu --kver "$kver"
echo
say "demo summary:"
grep -q 'PASS domU:nic-driver-bound' "$run/steps.txt" && say "  - the driver domain enumerated the passed-through e1000 and bound the e1000 driver"
grep -q 'PASS domU:link-up' "$run/steps.txt" && say "  - its link came up on QEMU's internal hub (no host network)"
sed -n 's/^XPF-STEP PASS domU:ping6-dom0: /  - ping6 to dom0'"'"'s NIC over IPv6 link-local: /p' "$run/steps.txt"
grep -q 'PASS domU:ours-refused' "$BUILD/xenhost/runs/modload-ours-iommu/steps.txt" &&
	say "  - our C++ module set loaded and unloaded in the PV driver domain, and refused to load beside the in-tree frontend"
say "  - serial logs: $BUILD/xenhost/runs/"
