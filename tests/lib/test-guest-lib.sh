#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the emulated host's shell helpers (tests/xenhost/guest/lib.sh) that judge kernel
# logs, run by ctest with the host's awk and with busybox's (dom0 and the domains run busybox).
here=$(dirname "$0")
lib=$here/../xenhost/guest/lib.sh
fixture=$here/fixtures/dom0-yank-storm.log
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fails=0
expect() { # name got want
	if [ "$2" = "$3" ]; then echo "ok   $1"; else printf 'FAIL %s\n got: %s\nwant: %s\n' "$1" "$2" "$3"; fails=1; fi
}
# The helper on a log, in a shell of its own: "dropped=<count> clean|dirty".
judge() { # awk-dir log irq...
	PATH="$1:$PATH" bash -c '
		source "$0"; log=$1; shift
		klog_drop_yank_storms "$log" "$T/out" "$T/count" "$@" || { echo "filter failed"; exit 0; }
		if grep -qE "$BAD_KLOG_RE" "$T/out"; then v=dirty; else v=clean; fi
		echo "dropped=$(cat "$T/count") $v $(wc -l <"$T/out")"' "$lib" "$2" "${@:3}"
}
export T=$t
mkdir "$t/host" "$t/busybox"
ln -s "$(command -v awk)" "$t/host/awk"
awks="host"
if command -v busybox >/dev/null; then
	printf '#!/bin/sh\nexec busybox awk "$@"\n' >"$t/busybox/awk"
	chmod +x "$t/busybox/awk"
	awks="host busybox"
fi
total=$(wc -l <"$fixture")
sed 's/xen_pcibk_guest_interrupt \[xen_pciback\]/e1000_intr [e1000]/' "$fixture" >"$t/other-handler.log"
sed '/xen_pcibk_guest_interrupt/a [   48.784400] [<000000005cb71cad>] e1000_intr [e1000]' "$fixture" >"$t/two-handlers.log"
sed '/Disabling IRQ/d' "$fixture" >"$t/unended.log"
{ cat "$fixture"; echo "[   60.000000] WARNING: CPU: 0 PID: 1 at somewhere"; } >"$t/warn-after.log"
# Another CPU's report interleaved inside the storm's.
sed '/__report_bad_irq/a [   48.726200] WARNING: CPU: 0 PID: 7 at drivers/pci/pci.c:1 somewhere' "$fixture" >"$t/warn-inside.log"
sed '/__report_bad_irq/a [   48.726200] Call Trace:' "$fixture" >"$t/two-traces.log"
sed 's/Disabling IRQ #22/Disabling IRQ #23/' "$fixture" >"$t/other-disabled.log"
for a in $awks; do
	d=$t/$a
	# The report on the detached device's line, pciback's handler alone: dropped, the rest kept.
	expect "$a: storm on a yanked device's irq" "$(judge "$d" "$fixture" 22)" "dropped=1 clean $((total - 20))"
	expect "$a: storm, irq among several" "$(judge "$d" "$fixture" 20 22)" "dropped=1 clean $((total - 20))"
	# Each of these must stay in the log for klog_file_clean to fail on.
	expect "$a: storm on another irq" "$(judge "$d" "$fixture" 2)" "dropped=0 dirty $total"
	expect "$a: no irq given" "$(judge "$d" "$fixture")" "dropped=0 dirty $total"
	expect "$a: irq 2 is not irq 22" "$(judge "$d" "$fixture" 2 222)" "dropped=0 dirty $total"
	expect "$a: another driver's handler" "$(judge "$d" "$t/other-handler.log" 22)" "dropped=0 dirty $total"
	expect "$a: pciback's handler and another" "$(judge "$d" "$t/two-handlers.log" 22)" "dropped=0 dirty $((total + 1))"
	expect "$a: a report that never ends" "$(judge "$d" "$t/unended.log" 22)" "dropped=0 dirty $((total - 1))"
	expect "$a: a WARNING after the storm" "$(judge "$d" "$t/warn-after.log" 22)" "dropped=1 dirty $((total - 19))"
	expect "$a: a WARNING inside the storm's report" "$(judge "$d" "$t/warn-inside.log" 22)" "dropped=0 dirty $((total + 1))"
	expect "$a: a second trace inside it" "$(judge "$d" "$t/two-traces.log" 22)" "dropped=0 dirty $((total + 1))"
	expect "$a: another irq disabled at its end" "$(judge "$d" "$t/other-disabled.log" 22)" "dropped=0 dirty $total"
done
exit $fails
