#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: our frontend against the in-tree xen-pcifront on the emulated Xen host, in one
# boot, a driver domain per frontend and round, alternating (tests/xenhost/guest/domu-bench.sh).
# Prints medians, the ratio ours / in-tree per row (paired by round) with its interval and a verdict, and
# writes every raw number as JSON to build/bench/results.json. Absolute times under QEMU TCG
# mean little; the ratios are the result.
# Usage: run.sh [ROUNDS]   (default 10, an even number: each frontend goes first as often; XPF_BENCH_ROUNDS)
#        XPF_BENCH_SERIAL="LOG..." run.sh   the table from an earlier run's serial logs, nothing run
source "$(dirname "$0")/../lib/common.sh"
rounds=${1:-${XPF_BENCH_ROUNDS:-10}}
kver=$("$TOP/scripts/kver.sh" 6.1)
out=$BUILD/bench
mkdir -p "$out"
# A user-space crash (the TCG flake) costs the rows of one domain and the boot goes on: the
# table says which. A boot that ends in an infrastructure failure (QEMU's own crash, a host gone
# silent) loses every round after it: the bench boots again from the first round it did not
# finish (dom0 prints "bench-round N whole" after each), the round begun run again whole, at
# most MAX_BOOTS boots in all. A driver verdict (a failed step, a hung guest) ends the bench.
MAX_BOOTS=3
run_serial=$BUILD/xenhost/runs/bench-ours-iommu/serial.txt
serials=()
partial= ended=
if [ -n "${XPF_BENCH_SERIAL:-}" ]; then
	# The table again from the serial logs of an earlier run (one per boot), without running anything.
	read -r -a serials <<<"$XPF_BENCH_SERIAL"
else
	rm -f "$out"/serial-boot*.txt
	from=1 boot=0
	while [ "$from" -le "$rounds" ] && [ "$boot" -lt "$MAX_BOOTS" ]; do
		boot=$((boot + 1))
		ok=1
		# Nothing of an earlier run can pass for this boot's (a setup that fails writes neither).
		rm -f "$run_serial" "$BUILD/xenhost/why/bench-ours-iommu.txt"
		XPF_RETRIES=0 XPF_BENCH_ROUNDS=$rounds XPF_BENCH_FROM=$from "$TOP/tests/xenhost/run.sh" \
			--scenario bench --frontend ours --topology iommu --kver "$kver" || ok=
		kept=$out/serial-boot$boot.txt
		cp "$run_serial" "$kept" 2>/dev/null || die "the bench's boot $boot left no serial log ($run_serial)"
		serials+=("$kept")
		[ -n "$ok" ] && break
		why=$(head -n 1 "$BUILD/xenhost/why/bench-ours-iommu.txt" 2>/dev/null || true)
		case "$why" in
		*INFRASTRUCTURE*) ;;
		*) die "the bench's boot $boot failed: ${why:-no verdict} (its log: $kept; the boots' logs so far: ${serials[*]})" ;;
		esac
		failed=$( (grep '^FAIL ' "${run_serial%/*}/steps.txt" || true) | sed "s/^FAIL /  boot $boot: /" | cut -c1-160)
		[ -z "$failed" ] || partial="$partial$failed
"
		# The last round dom0 saw whole in this boot: the next boot starts after it.
		whole=$(sed -n 's/.*XPF-SHOW bench-round \([0-9]*\) whole.*/\1/p' "$kept" | sort -n | tail -n 1)
		[ -n "$whole" ] && [ "$whole" -ge "$from" ] && from=$((whole + 1))
		again=
		if [ "$from" -le "$rounds" ]; then
			if [ "$boot" -lt "$MAX_BOOTS" ]; then
				again="; rounds $from to $rounds ran again in boot $((boot + 1))"
				echo "bench: boot $boot ended in round $from of $rounds (${why#*INFRASTRUCTURE: }); booting again for rounds $from to $rounds"
			else
				again="; the last of $MAX_BOOTS boots: rounds $from to $rounds are missing"
			fi
		fi
		ended="${ended}bench: boot $boot ended: ${why#*INFRASTRUCTURE: }$again
"
	done
fi
# The table: medians over the domains, each ratio paired by round with its sign-test interval and a verdict
# only where the interval gives one (tests/bench/table.py).
/usr/bin/python3 "$TOP/tests/bench/table.py" "$kver" "$out" "${serials[@]}" || die "no table from ${serials[*]}"
boots=
[ "${#serials[@]}" -lt 2 ] || boots="; ${#serials[@]} boots, their serial logs: ${serials[*]}"
echo "bench: raw numbers in ${out#$TOP/}/results.json$boots"
# Every boot that did not end well, and the steps that failed in them (a dead host's lost rounds
# ran again in the next boot, if there was one; the table says how many rounds are whole).
printf '%s' "$ended"
if [ -n "$partial" ]; then
	echo "bench: these steps failed (the TCG flake, or the host died; a round a later boot ran again is"
	echo "measured there), and the medians above leave out what they did not measure (results.json has every value):"
	printf '%s' "$partial"
fi
