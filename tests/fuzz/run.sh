#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the libFuzzer targets (Debian's clang, with ASan and UBSan) and runs each over its seed
# corpus in tests/fuzz/corpus/<target>/ for SECONDS (default 30), the new inputs it finds kept in
# build/fuzz/corpus/<target>/. Prints executions and coverage per target; any crash, leak or
# broken invariant fails.   Usage: run.sh [SECONDS] [TARGET...]
source "$(dirname "$0")/../lib/common.sh"
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_xenstore fuzz_op_reply fuzz_msi_table fuzz_config_cache)
cxx=$(command -v clang++ || true)
[ -n "$cxx" ] || die "clang++ not found: apt-get install clang (libFuzzer comes with it)"
out=$BUILD/fuzz
mkdir -p "$out"
flags=(-std=gnu++17 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=all -I"$TOP/include" -I"$TOP" -I"$TOP/tests/unit")
lib=("$TOP"/lib/{pciif,xsparse,xenbus_fsm,msi_state,msi_table,hotplug_list}.cpp "$TOP/tests/unit/host_runtime.cpp")
failed=0
for t in "${targets[@]}"; do
	bin=$out/$t
	if [ ! -x "$bin" ] || [ -n "$(find "$TOP/lib" "$TOP/tests/fuzz" -newer "$bin" -name '*.[ch]pp' | head -n 1)" ]; then
		"$cxx" "${flags[@]}" -o "$bin" "$TOP/tests/fuzz/$t.cpp" "${lib[@]}" || die "building $t failed"
	fi
	mkdir -p "$out/corpus/$t"
	log=$out/$t.log
	# Found inputs go to build/, the seeds are only read.
	if "$bin" -max_total_time="$secs" -print_final_stats=1 -max_len=4096 -timeout=10 \
		-artifact_prefix="$out/$t-" "$out/corpus/$t" "$TOP/tests/fuzz/corpus/$t" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
		echo "PASS $t: $runs executions in $secs s, $cov, corpus $(ls "$out/corpus/$t" | wc -l) + $(ls "$TOP/tests/fuzz/corpus/$t" | wc -l) seeds"
	else
		echo "FAIL $t: see $log"
		grep -E 'invariant broken|ERROR: |SUMMARY: |runtime error' "$log" | head -n 5
		ls "$out/$t-"* 2>/dev/null | sed 's/^/  reproducer: /'
		failed=1
	fi
done
exit $failed
