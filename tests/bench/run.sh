#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: our frontend against the in-tree xen-pcifront on the emulated Xen host, in one
# boot, a driver domain per frontend and round, alternating (tests/xenhost/guest/domu-bench.sh).
# Prints medians, the ratio ours / in-tree per row (paired by round) with its interval and a verdict, and
# writes every raw number as JSON to build/bench/results.json. Absolute times under QEMU TCG
# mean little; the ratios are the result.
# Usage: run.sh [ROUNDS]   (default 10, an even number: each frontend goes first as often; XPF_BENCH_ROUNDS)
#        XPF_BENCH_SERIAL=LOG run.sh   the table from an earlier run's serial log, nothing run
source "$(dirname "$0")/../lib/common.sh"
rounds=${1:-${XPF_BENCH_ROUNDS:-10}}
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
elif ! XPF_RETRIES=0 XPF_BENCH_ROUNDS=$rounds "$TOP/tests/xenhost/run.sh" --scenario bench --frontend ours \
	--topology iommu --kver "$kver"; then
	why=$(head -n 1 "$BUILD/xenhost/why/bench-ours-iommu.txt" 2>/dev/null)
	case "$why" in
	*INFRASTRUCTURE*) partial=$( (grep '^FAIL ' "${serial%/*}/steps.txt" || true) | sed 's/^FAIL /  /' | cut -c1-160) ;;
	*) die "the bench run failed (its log: $serial)" ;;
	esac
fi
# The table: medians over the domains, each ratio paired by round with its sign-test interval and a verdict
# only where the interval gives one (tests/bench/table.py).
/usr/bin/python3 "$TOP/tests/bench/table.py" "$serial" "$kver" "$out" || die "no table from $serial"
echo "bench: raw numbers in ${out#$TOP/}/results.json"
if [ -n "$partial" ]; then
	echo "bench: a user-space program crashed in the emulated host (TCG flake); these steps failed, and"
	echo "the medians above leave out what they did not measure (results.json has every value):"
	echo "$partial"
fi
