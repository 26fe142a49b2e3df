#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boots the emulated Xen host, starts a PV driver domain with an e1000 passed
# through (emulated VT-d), and shows it working through our frontend, xen-pcifront-cxx.
# Usage: demo.sh [KVER]
source "$(dirname "$0")/../lib/common.sh"
kver=${1:-$("$TOP/scripts/kver.sh" 6.1)}
say "demo: Xen 4.17 under QEMU (TCG, no KVM): dom0 with the real toolstack, and a PV driver"
say "demo: domain 'drv' given the e1000 at 0000:00:02.0 with xl create pci=[...]."
say "demo: The driver domain loads our frontend (modprobe xen-pcifront-cxx), not the in-tree one."
echo
rc=0
"$TOP/tests/xenhost/run.sh" --scenario baseline --frontend ours --topology iommu --kver "$kver" || rc=$?
run=$BUILD/xenhost/runs/baseline-ours-iommu
echo
say "demo: what the driver domain saw (lspci -k inside domU 'drv'):"
show() { # what the driver domain printed under XPF-SHOW $1
	# The indented lines after the heading "XPF-SHOW <what>:", up to the next heading.
	awk -v h="XPF-SHOW $1:" '$0 == h { on = 1; next } on && /^XPF-SHOW   / { print "   " substr($0, 11); n++; next }
		on { exit } END { if (!n) print "   (nothing: the run did not get that far)" }' "$run/serial.txt" 2>/dev/null
}
show "lspci -k"
say "demo: our frontend's counters (/sys/kernel/debug/xen-pcifront-cxx/frontend-0/stats):"
show "frontend stats"
echo
say "demo summary:"
missing=()
# Every line is printed, passed or not: a step that failed says so, with what it printed.
step() {
	local line
	line=$(grep -m1 "^PASS domU:$1:" "$run/steps.txt" 2>/dev/null || true)
	if [ -n "$line" ]; then
		say "  - $2${3:+: ${line#*: }}"
	else
		line=$(grep -m1 "^FAIL domU:$1:" "$run/steps.txt" 2>/dev/null || true)
		say "  - FAILED: $2${line:+ (${line#*: })}"
		missing+=("$1")
	fi
}
step frontend-loaded "xen-pcifront-cxx connected to pciback in dom0"
step nic-driver-bound "the driver domain enumerated the passed-through e1000 and bound the e1000 driver"
step link-up "its link came up on QEMU's internal hub (no host network)"
step ping6-dom0 "ping6 to dom0's NIC over IPv6 link-local" detail
step unload-with-driver-bound "unbind + rmmod with e1000 loaded removed the NIC cleanly"
step reload-and-ping "modprobe again brought the NIC back, and it pinged dom0 again"
say "  - serial logs: $run/"
if [ ${#missing[@]} -gt 0 ] || [ "$rc" != 0 ]; then
	say "demo: FAILED: ${missing[*]:-the run itself (exit $rc; see above)}"
	exit 1
fi
say "demo: PASSED"
