#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: every test stage, each reported PASS/FAIL, ending with one countable line.
# Stages that depend on a failed one are reported as failed, never skipped silently.
# Usage: check.sh [unit|fuzz|kbuild|pkg|smoke|xen]   (no argument: all stages)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# One day for the suites' chroots over the whole run (scripts/suite.sh), even past midnight.
export XPF_SUITE_DAY=${XPF_SUITE_DAY:-$(date -u +%Y%m%d)}
results=$top/build/check-results.txt
mkdir -p "$top/build"
: >"$results"
failed=0

stage() { # name, command...
	local name=$1 start=$SECONDS
	shift
	echo
	echo "=== check: $name"
	if "$@"; then
		echo "PASS $name ($((SECONDS - start)) s)" | tee -a "$results"
	else
		echo "FAIL $name ($((SECONDS - start)) s)" | tee -a "$results"
		failed=1
	fi
}

unit() {
	cmake -S "$top/tests/unit" -B "$top/build/unit" -DCMAKE_BUILD_TYPE=Debug >/dev/null || return 1
	cmake --build "$top/build/unit" -j2 -- --no-print-directory >"$top/build/unit/build.log" 2>&1 ||
		{ tail -n 40 "$top/build/unit/build.log"; return 1; }
	(cd "$top/build/unit" && ctest --output-on-failure | tail -n 5)
}

only=${1:-all}
"$top/scripts/deps.sh" build unit fuzz emu pkg debugkernel || exit 1
kver61=$("$top/scripts/kver.sh" 6.1) || exit 1
kver612=$("$top/scripts/kver.sh" 6.12) || exit 1
want() { [ "$only" = all ] || [ "$only" = "$1" ]; }

want unit && stage unit-tests unit
# Each libFuzzer target for a bounded time over its seeds (`make fuzz` runs them long).
want fuzz && stage fuzz "$top/tests/fuzz/run.sh" "${XPF_FUZZ_SECONDS:-30}"
if want kbuild || want smoke || want xen; then
	stage "kbuild-$kver61" "$top/scripts/kbuild.sh" "$kver61"
fi
# The xen stage boots a 6.12 host too (the install scenario).
if want kbuild || want xen; then
	stage "kbuild-$kver612" "$top/scripts/kbuild.sh" "$kver612"
fi
# Debian 13's and sid's newest kernels, each built in a chroot of its suite (scripts/suite.sh).
if want kbuild || want xen; then
	for suite in $("$top/scripts/suite.sh" suites); do
		if k=$("$top/scripts/suite.sh" kver "$suite"); then
			stage "kbuild-$k" "$top/scripts/kbuild.sh" "$k"
		else
			echo "FAIL kbuild-$suite (no $suite chroot: see the lines above)" | tee -a "$results"
			failed=1
		fi
	done
fi
# The driver domain's debug kernel (lockdep, UBSAN, kmemleak, object/list/SLUB debugging,
# KFENCE), built from Debian's 6.1 source unless cached, and our modules against its tree.
debug_kernel() {
	local k
	k=$("$top/scripts/debug-kernel.sh" build) || return 1
	"$top/scripts/kbuild.sh" "$k"
}
if want kbuild || want xen; then
	stage debug-kernel debug_kernel
fi
# The DKMS package installed and removed on this machine, for every kernel with headers.
want pkg && stage dkms-package "$top/tests/pkg/dkms.sh"
# The same package on Debian 13 and sid (tests/pkg/dkms-suite.sh) runs in `make matrix`.
if ! want smoke && ! want xen; then
	:
elif grep -q "^PASS kbuild-$kver61" "$results"; then
	want smoke && stage "smoke-qemu-$kver61" "$top/tests/smoke/run.sh" "$kver61"
	want xen && stage xen-scenarios "$top/tests/xenhost/cells.sh" check
else
	want smoke && echo "FAIL smoke-qemu-$kver61 (needs the $kver61 build)" | tee -a "$results"
	want xen && echo "FAIL xen-scenarios (needs the $kver61 build)" | tee -a "$results"
	failed=1
fi

echo
echo "=== check summary"
cat "$results"
pass=$(grep -c '^PASS' "$results")
fail=$(grep -c '^FAIL' "$results")
echo "check: $pass passed, $fail failed"
# Last, because CI shows only the end of the output: why each emulated-host run failed.
if [ -n "$(ls "$top/build/xenhost/why" 2>/dev/null)" ] && grep -q '^FAIL xen-scenarios' "$results"; then
	echo
	echo "=== why the failed emulated-host runs failed (whole logs: build/xenhost/runs/*/serial.txt)"
	cat "$top/build/xenhost/why/"*.txt | head -n 60
fi
exit $failed
