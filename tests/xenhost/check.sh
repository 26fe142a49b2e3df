#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The emulated-host scenarios `make check` runs: our module set in a real PV driver domain, and
# the in-tree xen-pcifront beside it in the install scenario's second domain, proving the
# harness independently of our code. With --compare, the in-tree frontend's runs instead, for
# the side-by-side tables (`make compare`; they are not verdicts on our code, and take long:
# the in-tree frontend spins 2 s per config access on a silent backend). With --matrix, what
# make check runs plus the cells CI's time leaves out (`make matrix`): the topology without an
# IOMMU for baseline and msi, and each scenario on the newer suites' kernels.
#   Usage: check.sh [--compare|--matrix] [KVER]
source "$(dirname "$0")/../lib/common.sh"
compare=0 matrix=0
[ "${1:-}" = --compare ] && { compare=1; shift; }
[ "${1:-}" = --matrix ] && { matrix=1; shift; }
kver=${1:-$("$TOP/scripts/kver.sh" 6.1)}
if [ $compare = 0 ]; then
	runs=(
		"baseline ours iommu"
		# Our modules package installed with dpkg in the driver domain's image, loaded by
		# alias; then a domain booted from the image after `dpkg -r`: the in-tree frontend
		# (whose lspci -vvv ours must match, below). On the 6.1 and the 6.12 kernel.
		"install ours iommu"
		"install ours iommu 6.12"
		"msi ours iommu"
		# PCI hotplug: e1000 attach/detach cycles, then cycles around an attached NVMe;
		# without an IOMMU with pciback in passthrough mode, where an attach brings a new
		# root bus. The 200-cycle run is in the README.
		"hotplug ours iommu 5"
		"hotplug ours noiommu 5 passthrough"
		# On 6.12 a domain started without a device needs e820_host=1 for xen-swiotlb
		# (set up only at boot since 6.5); without it, an attached device is refused.
		"hotplug ours iommu 3 6.12 e820"
		"dmarefuse ours iommu 6.12"
		# The passed-through function removed in dom0 under a bound driver.
		"surprise ours iommu"
		# The toolstack removes our xenstore directory under a bound driver (a dead backend
		# domain): on 6.1 our own check, on sid's 7.2 the 2026 core's vanished flag.
		"vanish ours iommu"
		"vanish ours iommu sid"
		# Debian 13's kernel in the driver domain (dom0 stays Debian 12's 6.1).
		"baseline ours iommu trixie"
		# Debian 13's host: Xen 4.20, its 6.12 in dom0 (pciback, toolstack) and driver domain.
		"baseline ours iommu host-trixie"
		# The debug kernel in the driver domain (scripts/debug-kernel.sh: lockdep, UBSAN,
		# kmemleak, object/list/SLUB debugging, KFENCE): any report fails the step.
		"baseline ours iommu debug"
		"hotplug ours iommu 3 debug"
		# A hostile backend: dom0's xpf-rogue in place of pciback, twelve misbehaviours, on
		# the debug kernel (the same 6.1 source as Debian's, with every check on).
		"rogue ours iommu debug"
	)
	# The rogue rounds on Debian's own 6.1; the MSI scenario on the debug kernel (the longest
	# cell, about 8 minutes).
	[ $matrix = 0 ] || runs+=(
		"rogue ours iommu"
		"msi ours iommu debug"
		"baseline intree noiommu"
		"baseline ours noiommu"
		"msi ours noiommu"
		"baseline ours iommu sid"
		"msi ours iommu trixie" "msi ours iommu sid"
		"hotplug ours iommu 3 trixie e820" "hotplug ours iommu 3 sid e820"
		"rogue ours iommu trixie" "rogue ours iommu sid"
		"install ours iommu trixie" "install ours iommu sid"
		"baseline intree iommu trixie" "baseline intree iommu sid"
		"msi ours iommu host-trixie" "baseline intree iommu host-trixie"
	)
else
	runs=(
		"baseline intree iommu"
		"modload ours iommu"
		"msi intree iommu"
		"hotplug intree iommu 5"
		"surprise intree iommu"
		"vanish intree iommu"
		"vanish intree iommu sid"
		"baseline intree iommu trixie"
		"baseline intree iommu sid"
		"baseline intree iommu host-trixie"
		# The in-tree frontend on the debug kernel: what its checks report there.
		"baseline intree iommu debug" "msi intree iommu debug" "hotplug intree iommu 3 debug"
		# 4 vCPUs on the 2 cores: NVMe I/O, config reads and a ping from every vCPU while
		# the op channel's irq moves between them. Not in make check: with 4 vCPUs the TCG
		# user-space flake kills dozens of busybox processes a run (docs/testing.md).
		"smp ours iommu 6.12"
		"smp intree iommu 6.12"
		# The rounds after which the in-tree frontend still answers within the harness's
		# bounds; silent, late and vanish each keep it spinning for minutes.
		"rogue intree iommu"
	)
	export XPF_ROGUE_LIST=${XPF_ROGUE_LIST:-good,garbage,flip,storm,badroots,flap,reconf,aer}
fi
failed=0
summary=()
rm -rf "$BUILD/xenhost/why" # each failed run leaves its digest there (run.sh)
rm -rf "$BUILD/xenhost/retries" # and each infrastructure retry a line
for r in "${runs[@]}"; do
	set -- $r
	sc=$1 fe=$2 tp=$3
	shift 3
	# Further words: a number of hotplug cycles (make check runs fewer than the 200 of the
	# long run in the README), pciback's mode, a kernel series for the whole host, or a newer
	# suite (trixie, sid) for the driver domain's kernel (built in that suite's chroot).
	cyc= pb=vpci kv=$kver e820= sfx= host=bookworm kset=
	for w in "$@"; do
		case $w in
		# Debian 13's host generation (Xen 4.20, its 6.12 dom0); the driver domain on its 6.12
		# unless a kernel is named.
		host-trixie) host=trixie ;;
		e820) e820=1 sfx=${sfx:+$sfx-}e820 ;;
		6.*) kset=1 kv=$("$TOP/scripts/kver.sh" "$w") || { summary+=("FAIL $sc/$fe/$tp: no $w kernel"); failed=1; continue 2; } ;;
		trixie | sid) kset=1 kv=$("$TOP/scripts/suite.sh" kver "$w") || { summary+=("FAIL $sc/$fe/$tp: no $w kernel"); failed=1; continue 2; } ;;
		# The debug kernel (scripts/debug-kernel.sh; make check's debug-kernel stage builds it).
		debug) kset=1 kv=$("$TOP/scripts/debug-kernel.sh" release) || { summary+=("FAIL $sc/$fe/$tp: no debug kernel"); failed=1; continue 2; } ;;
		[0-9]*) cyc=$w ;;
		vpci | passthrough) pb=$w ;;
		esac
	done
	if [ $host = trixie ] && [ -z "$kset" ]; then
		kv=$("$TOP/scripts/suite.sh" kver trixie) || { summary+=("FAIL $sc/$fe/$tp: no trixie kernel"); failed=1; continue; }
	fi
	what=$sc/$fe/$tp
	[ "$pb" = vpci ] || what+=/$pb
	[ -z "$cyc" ] || what+=" ($cyc cycles)"
	[ "$kv" = "$kver" ] || what+=" on $kv"
	[ -z "$e820" ] || what+=" with e820_host=1"
	[ $host = bookworm ] || what+=" on the Debian 13 host (Xen 4.20)"
	if XPF_E820_HOST=$e820 XPF_RUN_SUFFIX=$sfx XPF_HOTPLUG_CYCLES=${cyc:-20} "$TOP/tests/xenhost/run.sh" --scenario "$sc" --frontend "$fe" --topology "$tp" \
		--kver "$kv" --pciback "$pb" --host "$host"; then
		summary+=("PASS $what")
	else
		summary+=("FAIL $what")
		failed=1
	fi
done
# Drivers must not tell the frontends apart: the passed-through NIC's `lspci -vvv` in the driver
# domain must be the same under ours as under the in-tree one, with an IOMMU (and without one in make matrix).
# With an IOMMU the in-tree side is the install scenario's second domain (package removed).
topos=iommu
[ $matrix = 0 ] || topos="iommu noiommu"
[ $compare = 1 ] || for topo in $topos; do
	a=$TOP/build/xenhost/runs/baseline-intree-$topo/lspci-vvv.txt
	[ $topo = iommu ] && a=$TOP/build/xenhost/runs/install-ours-iommu/lspci-vvv.txt
	b=$TOP/build/xenhost/runs/baseline-ours-$topo/lspci-vvv.txt
	# A capture without the BARs is a broken relay, not a match.
	if grep -q 'Region 0:' "$a" 2>/dev/null && grep -q 'Region 0:' "$b" 2>/dev/null && diff -u "$a" "$b"; then
		summary+=("PASS lspci-vvv-identical/$topo ($(wc -l <"$b") lines)")
	else
		summary+=("FAIL lspci-vvv-identical/$topo (missing or different: $a $b)")
		failed=1
	fi
done
# MSI/MSI-X side by side: what each frontend got for the same devices and reloads.
echo "msi scenario, side by side (yes/no: the fact held; ours/iommu and ours/noiommu are checked as steps):"
"$TOP/tests/xenhost/facts-table.sh" msi | sed 's/^/  /' || true
echo "hotplug scenario, side by side (e1000 attach/detach cycles, then cycles around an attached NVMe):"
"$TOP/tests/xenhost/facts-table.sh" hotplug | sed 's/^/  /' || true
echo "rogue backend, round by round (yes: survived, unloaded and loaded again, and said why):"
"$TOP/tests/xenhost/facts-table.sh" rogue | sed 's/^/  /' || true
echo "xenhost scenarios:"
printf '  %s\n' "${summary[@]}"
retry_report "$BUILD/xenhost/retries"
exit $failed
