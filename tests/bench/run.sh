#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: our frontend against the in-tree xen-pcifront on the emulated Xen host, in one
# boot, a driver domain per frontend and round, alternating (tests/xenhost/guest/domu-bench.sh).
# Prints medians and the ratio ours / in-tree per row, and writes every raw number as JSON to
# build/bench/results.json. Absolute times under QEMU TCG mean little; the ratios are the result.
# Usage: run.sh [ROUNDS]   (default 3; XPF_BENCH_ROUNDS)
source "$(dirname "$0")/../lib/common.sh"
rounds=${1:-${XPF_BENCH_ROUNDS:-3}}
kver=$("$TOP/scripts/kver.sh" 6.1)
out=$BUILD/bench
mkdir -p "$out"
XPF_BENCH_ROUNDS=$rounds "$TOP/tests/xenhost/run.sh" --scenario bench --frontend ours --topology iommu \
	--kver "$kver" || die "the bench run failed (its log: $BUILD/xenhost/runs/bench-ours-iommu/serial.txt)"
serial=$BUILD/xenhost/runs/bench-ours-iommu/serial.txt
# "XPF-SHOW bench fe=ours round=1 confread ops=2000 rounds=5 wall_ns_per_op=..." -> one record
# per value: fe round measurement key value.
grep -o 'XPF-SHOW bench fe=.*' "$serial" | sort -u | awk '{
	fe = substr($3, 4); round = substr($4, 7); m = $5
	for (i = 6; i <= NF; i++) { split($i, kv, "="); if (kv[2] ~ /^[0-9]+$/) print fe, round, m, kv[1], kv[2] }
}' >"$out/raw.txt"
[ -s "$out/raw.txt" ] || die "no bench lines in $serial"

# The rows: measurement key, what it is, unit divisor, unit.
rows="confread wall_ns_per_op|config read latency (sysfs dword, one op each)|1|ns
confread_nocache wall_ns_per_op|the same, our config cache off (in-tree: the same run)|1|ns
confread cpu_ns_per_op|guest CPU per config op (the reader's user+system time)|1|ns
lspci_vvv wall_ns|lspci -vvv of the passed-through NIC|1000000|ms
lspci_vvv cpu_ns|guest CPU of that lspci -vvv|1000000|ms
load_and_enumerate wall_ns|modprobe of the frontend to the NIC on the PV PCI bus|1000000|ms
memory module_bytes|module core size (/proc/modules; ours: all four)|1024|KiB
memory slab_kb_after_enumeration|slab growth from load to the NIC enumerated|1|KiB
lspci_vvv_dump wall_ns|the same lspci -vvv from a dump (-F; no config op): lspci's own share|1000000|ms
msix_cycle wall_ns|MSI-X device (e1000e) driver unbind + bind|1000000|ms
msix_kept on_msix|binds of that e1000e on MSI-X (of 6: hot-attach, then 5 cycles)|1|binds
hotplug attach_ms|xl pci-attach of the e1000e to its netdev up in the driver domain|1|ms
hotplug detach_ms|xl pci-detach of the e1000e to it gone in the driver domain|1|ms
floor wall_ns_per_op|event-channel round trip to dom0, user space at both ends|1|ns
floor_kernel wall_ns_per_op|event-channel round trip to dom0, kernel to kernel (the floor)|1|ns"
# The raw values of measurement $2, key $3, from frontend $1's domains, one per line.
vals() { awk -v f="$1" -v m="$2" -v k="$3" '$1 == f && $3 == m && $4 == k { print $5 }' "$out/raw.txt"; }
join() { awk '{ printf "%s%s", s, $0; s = ", " }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '\n%-62s %12s %12s %8s\n' "bench ($rounds rounds, medians; kernel $kver)" ours in-tree ratio
json="{\"kernel\": \"$kver\", \"rounds\": $rounds, \"rows\": ["
first=1
while IFS='|' read -r key what div unit; do
	set -- $key
	o=$(vals ours "$1" "$2" | median) || o=
	tm=$1
	[ "$tm" = confread_nocache ] && tm=confread # the in-tree frontend has no cache to switch off
	t=$(vals intree "$tm" "$2" | median) || t=
	if [ -n "$o" ] && [ -n "$t" ] && [ "$t" != 0 ]; then
		ratio=$(awk -v a="$o" -v b="$t" 'BEGIN { printf "%.2f", a / b }')
	else
		ratio=-
	fi
	fmt() { [ -n "$1" ] && awk -v v="$1" -v d="$div" 'BEGIN { printf "%.1f", v / d }' || echo -; }
	printf '%-62s %12s %12s %8s\n' "$what ($unit)" "$(fmt "$o")" "$(fmt "$t")" "$ratio"
	raw_o=$(vals ours "$1" "$2" | join)
	raw_t=$(vals intree "$1" "$2" | join)
	[ $first = 1 ] || json+=","
	first=0
	json+="{\"row\": \"$1 $2\", \"what\": \"$what\", \"ours\": [$raw_o], \"intree\": [$raw_t], \"ratio_of_medians\": \"$ratio\"}"
done <<<"$rows"
echo "$json]}" >"$out/results.json"
# Each frontend's config op against the kernel-to-kernel event-channel round trip in its own
# domains: how far above the floor an op is.
for fe in ours intree; do
	op=$(vals $fe confread wall_ns_per_op | median) || op=
	fl=$(vals $fe floor_kernel wall_ns_per_op | median) || fl=
	[ -n "$op" ] && [ -n "$fl" ] && [ "$fl" != 0 ] &&
		printf '%-62s %12s\n' "config op / kernel event-channel round trip, $fe" "$(awk -v a="$op" -v b="$fl" 'BEGIN { printf "%.2f", a / b }')"
done
echo "bench: raw numbers in ${out#$TOP/}/results.json"
