#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: our frontend against the in-tree xen-pcifront on the emulated Xen host, in one
# boot, a driver domain per frontend and round, alternating (tests/xenhost/guest/domu-bench.sh).
# Prints medians and the ratio ours / in-tree per row, and writes every raw number as JSON to
# build/bench/results.json. Absolute times under QEMU TCG mean little; the ratios are the result.
# Usage: run.sh [ROUNDS]   (default 3; XPF_BENCH_ROUNDS)
#        XPF_BENCH_SERIAL=LOG run.sh   the table from an earlier run's serial log, nothing run
source "$(dirname "$0")/../lib/common.sh"
rounds=${1:-${XPF_BENCH_ROUNDS:-3}}
kver=$("$TOP/scripts/kver.sh" 6.1)
out=$BUILD/bench
mkdir -p "$out"
# Not retried as a whole after a user-space crash (the TCG flake): a crash costs the rows of
# one domain, and a second boot of every round would double the run. The table then says so.
serial=$BUILD/xenhost/runs/bench-ours-iommu/serial.txt
partial=
if [ -n "${XPF_BENCH_SERIAL:-}" ]; then
	# The table again from the serial log of an earlier run, without running anything.
	serial=$XPF_BENCH_SERIAL
	rounds=$(grep -ao 'XPF-SHOW bench fe=ours round=[0-9]*' "$serial" | sort -u | wc -l)
elif ! XPF_RETRIES=0 XPF_BENCH_ROUNDS=$rounds "$TOP/tests/xenhost/run.sh" --scenario bench --frontend ours \
	--topology iommu --kver "$kver"; then
	why=$(head -n 1 "$BUILD/xenhost/why/bench-ours-iommu.txt" 2>/dev/null)
	case "$why" in
	*INFRASTRUCTURE*) partial=$( (grep '^FAIL ' "${serial%/*}/steps.txt" || true) | sed 's/^FAIL /  /' | cut -c1-160) ;;
	*) die "the bench run failed (its log: $serial)" ;;
	esac
fi
# "XPF-SHOW bench fe=ours round=1 confread ops=2000 rounds=5 wall_ns_per_op=..." -> one record
# per value: fe round measurement key value.
tr -d '\r' <"$serial" | grep -ao 'XPF-SHOW bench fe=.*' | sort -u | awk '{
	fe = substr($3, 4); round = substr($4, 7); m = $5
	for (i = 6; i <= NF; i++) { split($i, kv, "="); if (kv[2] ~ /^[0-9]+$/) print fe, round, m, kv[1], kv[2] }
}' >"$out/raw.txt"
[ -s "$out/raw.txt" ] || die "no bench lines in $serial"

# The rows: measurement key, what it is, unit divisor, unit.
rows="confread wall_ns_per_op|config read latency (sysfs dword, one op each)|1|ns
confread_nocache wall_ns_per_op|the same, our config cache off (in-tree: the same run)|1|ns
confread_kernel wall_ns_per_op|config read latency in the kernel (pci_read_config_dword)|1|ns
confread_kernel_nocache wall_ns_per_op|the same, our config cache off (in-tree: the same run)|1|ns
confread cpu_ns_per_op|guest CPU per config op (the reader's user+system time)|1|ns
lspci_vvv wall_ns|lspci -vvv of the passed-through NIC|1000000|ms
lspci_vvv cpu_ns|guest CPU of that lspci -vvv|1000000|ms
rescan wall_ns_per_op|kernel enumeration: a rescan of the PV bus (sysfs)|1000000|ms
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
# The raw values of measurement $2, key $3, from frontend $1's domains (only round $4's, if
# given), one per line.
vals() {
	awk -v f="$1" -v m="$2" -v k="$3" -v r="${4:-}" \
		'$1 == f && $3 == m && $4 == k && (r == "" || $2 == r) { print $5 }' "$out/raw.txt"
}
join() { awk '{ printf "%s%s", s, $0; s = ", " }'; }
# Printed in plain decimals: awk's own print turns 743603590.5 into 7.43604e+08, which
# sort -n reads as 7.4.
median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) exit 1; printf "%.1f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# One line of the table: what, unit, unit divisor, decimals, ours, in-tree; "-" for what is
# missing, and no ratio unless the in-tree value is above 0. Sets $ratio.
table_row() {
	if [ -n "$5" ] && [ -n "$6" ] && awk -v b="$6" 'BEGIN { exit !(b > 0) }'; then
		ratio=$(awk -v a="$5" -v b="$6" 'BEGIN { printf "%.2f", a / b }')
	else
		ratio=-
	fi
	fmt() { [ -n "$1" ] && awk -v v="$1" -v d="$2" -v p="$3" 'BEGIN { printf "%.*f", p, v / d }' || echo -; }
	printf '%-62s %12s %12s %8s\n' "$1 ($2)" "$(fmt "$5" "$3" "$4")" "$(fmt "$6" "$3" "$4")" "$ratio"
}
printf '\n%-62s %12s %12s %8s\n' "bench ($rounds rounds, medians; kernel $kver)" ours in-tree ratio
json="{\"kernel\": \"$kver\", \"rounds\": $rounds, \"rows\": ["
first=1
while IFS='|' read -r key what div unit; do
	set -- $key
	o=$(vals ours "$1" "$2" | median) || o=
	tm=$1
	tm=${tm%_nocache} # the in-tree frontend has no cache to switch off
	t=$(vals intree "$tm" "$2" | median) || t=
	table_row "$what" "$unit" "$div" 1 "$o" "$t"
	raw_o=$(vals ours "$1" "$2" | join)
	raw_t=$(vals intree "$1" "$2" | join)
	[ $first = 1 ] || json+=","
	first=0
	json+="{\"row\": \"$1 $2\", \"what\": \"$what\", \"ours\": [$raw_o], \"intree\": [$raw_t], \"ratio_of_medians\": \"$ratio\"}"
done <<<"$rows"
echo "$json]}" >"$out/results.json"
# Rows that put one measurement against another taken in the same domain, so that how fast that
# domain ran (it varies by 2x between domains of one boot under TCG) cancels out. Per domain
# (frontend $1, round): the median of $2/$3 combined ($6: ratio or minus) with the median of
# $4/$5; one value per domain, a line each.
per_domain() {
	for r in $(awk -v f="$1" '$1 == f { print $2 }' "$out/raw.txt" | sort -u); do
		x=$(vals "$1" "$2" "$3" "$r" | median) && y=$(vals "$1" "$4" "$5" "$r" | median) || continue
		awk -v x="$x" -v y="$y" -v op="$6" 'BEGIN {
			if (op == "ratio" && y != 0) printf "%.4f\n", x / y
			if (op == "minus") printf "%.1f\n", x - y
		}'
	done
}
derived="confread_kernel wall_ns_per_op floor_kernel wall_ns_per_op ratio|kernel config read in kernel event-channel round trips (each domain's floor)|1|round trips
lspci_vvv wall_ns lspci_vvv_dump wall_ns minus|lspci -vvv minus the same from a dump: its config reads (each domain)|1000000|ms"
echo "same-domain rows (each domain against itself, then the median of the domains):"
while IFS='|' read -r spec what div unit; do
	o=$(per_domain ours $spec | median) || o=
	t=$(per_domain intree $spec | median) || t=
	table_row "$what" "$unit" "$div" 2 "$o" "$t"
done <<<"$derived"
echo "bench: raw numbers in ${out#$TOP/}/results.json"
if [ -n "$partial" ]; then
	echo "bench: a user-space program crashed in the emulated host (TCG flake); these steps failed, and"
	echo "the medians above leave out what they did not measure (results.json has every value):"
	echo "$partial"
fi
