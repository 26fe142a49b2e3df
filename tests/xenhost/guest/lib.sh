# SPDX-License-Identifier: GPL-2.0
# Step reporting and bounded waits for scripts inside the emulated host (busybox sh).
# Steps are reported in KTAP (the kernel's Documentation/dev-tools/ktap.rst, as kselftest
# prints it): each result is "ok N name" or "not ok N name", after a diagnostic line
# "# name: detail"; the document opens with "KTAP version 1". The number of steps is not known
# in advance, so there is no plan line; the document ends as kselftest's do, with the line
# "# Totals: pass:P fail:F", which the host runner (tests/xenhost/xenhost.py) checks against
# the results it read. dom0's document carries the driver domain's results too, renamed
# "domU:name" (relay_domu). The counts span the processes of one domain (dom0-init,
# scenario.sh, subshells): they are kept in a file, "N PASSED FAILED".
KTAP_N=/tmp/xpf-ktap-n
ktap_begin() { echo "0 0 0" >$KTAP_N; echo "KTAP version 1"; }
ktap_result() { # ok|fail name detail
	read -r _kn _kp _kf <$KTAP_N 2>/dev/null || { _kn=0 _kp=0 _kf=0; }
	_kn=$((_kn + 1))
	if [ "$1" = ok ]; then _kp=$((_kp + 1)); else _kf=$((_kf + 1)); fi
	echo "$_kn $_kp $_kf" >$KTAP_N
	echo "# $2: $3"
	if [ "$1" = ok ]; then echo "ok $_kn $2"; else echo "not ok $_kn $2"; fi
}
ktap_end() {
	read -r _kn _kp _kf <$KTAP_N 2>/dev/null || { _kp=0 _kf=0; }
	echo "# Totals: pass:$_kp fail:$_kf"
}
# The QEMU layout run.sh builds: the NIC passed through, and the one dom0 keeps (same hub).
PT_BDF=0000:00:02.0
DOM0_BDF=0000:00:03.0
# The hotplug scenario's second device: an NVMe controller that stays attached while the e1000
# comes and goes, behind a PCIe root port at 00:04.0 (run.sh).
HP_ANCHOR_BDF=0000:01:00.0
# The bench's hot-attached device: an e1000e (MSI-X), attached and detached in each bench domain.
BENCH_HP_BDF=0000:00:05.0
# The bench floor's event-channel round trips: per round, and rounds (xpf-bench floor).
BENCH_FLOOR_OPS=200 BENCH_FLOOR_ROUNDS=5
# The rogue scenario's rounds (tests/rogue/xpf-rogue.c), in order.
RG_LIST="good silent late garbage flip storm badroots manyroots flap vanish reconf aer msix"
# The msix round's device has a 4 KiB memory BAR here: a page of q35's PCI hole that no device
# of the emulated host uses. The driver domain is granted it (iomem), as the MSI-X table's
# mapping needs; nothing ever reads or writes it.
RG_MSIX_BAR=0xe0000000
# Our MSI module's counters and per-device records (debugfs, in the driver domain).
MSI_DEVS=/sys/kernel/debug/xen-pcifront-cxx/msi/devices
[ -z "${xpf_rogue_list:-}" ] || RG_LIST=$(echo "$xpf_rogue_list" | tr ',+' '  ')
# Every device the scenario passes through (its tests/xenhost/scenarios/NAME.toml), as the
# host runner put it on dom0's command line ('+' between them).
pt_bdfs() { echo "${xpf_pt:-$PT_BDF}" | tr '+' ' '; }

# User space under QEMU TCG in a PV domain crashes now and then (README, "Known infrastructure
# flake"): the number of such crashes the kernel has logged so far.
user_crashes() { dmesg 2>/dev/null | grep -cE 'segfault at|traps: [^ ]+ general protection fault ip'; }

step() { # name, command...: runs the command, reports its exit status and first output line
	_name=$1
	shift
	[ -z "${XPF_STEP_FILE:-}" ] || echo "$_name (since $(cut -d' ' -f1 /proc/uptime) s)" >"$XPF_STEP_FILE"
	_crash0=$(user_crashes)
	if _out=$("$@" 2>&1); then
		# A shell's report of a crashed helper is not the step's result line.
		ktap_result ok "$_name" "$(echo "$_out" | grep -vE '^(Segmentation fault|Illegal instruction)' | head -n 1 | cut -c1-150)"
		return 0
	fi
	# A step that failed while a user-space program crashed says nothing about the driver:
	# run it once more, and say so. The run's verdict still shows every crash (run.sh).
	# Not for a step that must not be repeated from its start (XPF_NO_RERUN=1: hotplug cycles).
	if [ -z "${XPF_NO_RERUN:-}" ] && [ "$(user_crashes)" != "$_crash0" ]; then
		echo "XPF-FLAKE $_name: a user-space program crashed during this step; running it again"
		if _out=$("$@" 2>&1); then
			ktap_result ok "$_name" "(second run) $(echo "$_out" | head -n 1 | cut -c1-140)"
			return 0
		fi
	fi
	ktap_result fail "$_name" "$(echo "$_out" | tail -n 3 | tr '\n' ' ' | cut -c1-300)"
	return 1
}

# check NAME command...: a step for our frontend; for the in-tree one (the comparison) only a
# record. Both print "XPF-SHOW FACT NAME: yes|no detail" for the side-by-side table.
check() {
	_n=$1
	shift
	if [ "$xpf_frontend" = ours ]; then
		if step "$_n" "$@" >/tmp/check.out; then _r=yes; else _r=no; fi
		cat /tmp/check.out
		_d=$(sed -n 's/^# [^:]*: //p' /tmp/check.out | tail -n 1)
	else
		if _d=$("$@" 2>&1); then _r=yes; else _r=no; fi
	fi
	echo "XPF-SHOW FACT $_n: $_r $(echo "$_d" | tail -n 1 | cut -c1-320)"
	[ $_r = yes ]
}

# wait_for SECONDS what command...: polls every 0.5 s; never waits longer than SECONDS.
# With WAIT_GIVE_UP=CHECK, it also stops as soon as `CHECK TICKS` (TICKS: polls so far) succeeds,
# printing what CHECK printed: the reason the awaited thing can no longer happen.
wait_for() {
	_limit=$1 _what=$2
	shift 2
	_t=0
	while ! "$@" >/dev/null 2>&1; do
		if [ -n "${WAIT_GIVE_UP:-}" ] && _why=$($WAIT_GIVE_UP $_t); then
			echo "$_why while waiting for $_what"
			return 1
		fi
		_t=$((_t + 1))
		if [ $_t -ge $((_limit * 2)) ]; then
			echo "gave up after ${_limit} s waiting for $_what"
			return 1
		fi
		sleep 0.5
	done
	echo "$_what after ~$((_t / 2)) s"
}

# What a debug kernel's checks print (scripts/debug-kernel.sh), beyond WARNING:/BUG:/Call Trace:
# UBSAN, KFENCE, object debugging, list debugging, SLUB's red zones and poison ("BUG kmalloc-64
# (Not tainted): Redzone overwritten"), kmemleak, and lockdep switching itself off after a report.
# A production kernel prints none of them.
DEBUG_REPORT_RE='UBSAN:|KFENCE:|ODEBUG:|list_(add|del) corruption|BUG [^ ]+ \(|suspected memory leak|turning off the locking correctness validator|INFO: trying to register non-static key'
# A report's whole text, once per boot and kind, for the run's digest (run.sh keeps XPF-REPORT lines):
# from its first line, at most 60 lines.
report_text() { # kind, regex, file with the kernel log
	[ -e "/tmp/xpf-reported-$1" ] && return 0
	: >"/tmp/xpf-reported-$1"
	_rl=$(grep -nE "$2" "$3" | head -n 1 | cut -d: -f1)
	[ -n "$_rl" ] || return 0
	_rt=$(sed -n "$((_rl > 3 ? _rl - 3 : 1)),$((_rl + 57))p" "$3" | sed 's/^/XPF-REPORT /')
	echo "$_rt" >/dev/console 2>/dev/null || echo "$_rt"
}

# The kernel log must show no oops, WARN, BUG, lockup, leak or debug-kernel report. Only grep's
# "no match" (status 1) passes: a crashed or failed grep must not read as a clean log. User-space
# crashes (the TCG flake) are counted, not judged here: step() re-runs a step they broke, run.sh
# reports them.
# "leak:" as our modules say it, not kmemleak's own name ("kmemleak: Kernel memory leak detector
# initialized"); kmemleak's reports are in DEBUG_REPORT_RE.
BAD_KLOG_RE="WARNING:|BUG:|Oops|Call Trace|general protection fault[,:]|soft lockup|hung_task|rcu.*stall|(^|[^m])leak:|$DEBUG_REPORT_RE"
# A run that ends early (a failed step before any dmesg check) still leaves the report's text.
dmesg_report() { dmesg >/tmp/dmesg.txt 2>/dev/null && report_text dmesg "$BAD_KLOG_RE" /tmp/dmesg.txt; true; }
# A saved kernel log (file, words that end the line saying it is clean): no oops/WARN/BUG/lockup.
klog_file_clean() {
	grep -E "$BAD_KLOG_RE" "$1"
	case $? in
	0) report_text dmesg "$BAD_KLOG_RE" "$1"; return 1 ;;
	1) echo "no oops/WARN/BUG/lockup $2" ;;
	*) echo "grep over the kernel log failed"; return 1 ;;
	esac
}
dmesg_clean() {
	dmesg >/tmp/dmesg.txt || { echo "dmesg failed"; return 1; }
	klog_file_clean /tmp/dmesg.txt "in dmesg ($(user_crashes) user-space crash(es) logged)"
}

# `xl pci-detach` of a PV domain's device yanks it before the frontend hears of it: libxl
# unmaps the domain's pirq, resets the device and takes it out of the domain's IOMMU context,
# and only then writes the detach to xenstore (pci_remove_detached before
# libxl__device_pci_remove_xenstore, Xen 4.17 to 4.21). A NIC detached under traffic keeps its
# INTx asserted meanwhile; dom0 is the only domain left on the line, with pciback's stand-in
# handler, which turns itself off after 1000 interrupts when no other domain shares the line.
# On a slow driver domain the frontend's removal comes after the next 100000: dom0's kernel
# says "irq N: nobody cared" and disables the line. docs/findings.md has the evidence.
# klog_drop_yank_storms IN OUT COUNT IRQ...: copies kernel log IN to OUT without those reports
# (only for the irqs given, only a report whose every handler is pciback's stand-in, and only
# one with no other report's line inside it: lines of other CPUs interleave), and writes how
# many it dropped to COUNT. Any other report stays in OUT for klog_file_clean.
klog_drop_yank_storms() {
	_in=$1 _out=$2 _count=$3
	shift 3
	# The regex through the environment: -v would take its backslashes as escapes.
	XPF_BAD_RE=$BAD_KLOG_RE awk -v irqs=" $* " -v count="$_count" '
	BEGIN { bad = ENVIRON["XPF_BAD_RE"] }
	function flush(  i) { for (i = 1; i <= n; i++) print buf[i]; n = 0 }
	!inblk && match($0, /irq [0-9]+: nobody cared/) {
		irq = substr($0, RSTART + 4) + 0
		inblk = 1; handlers = 0; ours = 0; other = 0; traces = 0; n = 0
		buf[++n] = $0
		next
	}
	inblk {
		buf[++n] = $0
		if ($0 ~ /\] Call Trace:/) traces++
		else if ($0 ~ bad) other++
		if ($0 ~ /\] handlers:$/) { handlers = 1; next }
		if (handlers && match($0, /\] Disabling IRQ #[0-9]+$/)) {
			last = substr($0, RSTART + 17) + 0
			if (index(irqs, " " irq " ") && last == irq && ours > 0 && other == 0 && traces <= 1) {
				dropped++; n = 0
			} else flush()
			inblk = 0
			next
		}
		if (handlers) { if ($0 ~ /\] \[<[0-9a-f]+>\] xen_pcibk_guest_interrupt \[xen_pciback\]$/) ours++; else other++ }
		if (n > 200) { flush(); inblk = 0 }
		next
	}
	{ print }
	END { if (inblk) flush(); print dropped + 0 >count }
	' "$_in" >"$_out"
}
# dmesg_clean, less the reports klog_drop_yank_storms drops for the dom0 irqs given (the
# detached devices' INTx lines); the step's line says how many there were.
dmesg_clean_after_yanks() { # irq...
	dmesg >/tmp/dmesg-raw.txt || { echo "dmesg failed"; return 1; }
	klog_drop_yank_storms /tmp/dmesg-raw.txt /tmp/dmesg.txt /tmp/yank-storms "$@" ||
		{ echo "filtering the kernel log failed"; return 1; }
	_ys=$(cat /tmp/yank-storms) || return 1
	klog_file_clean /tmp/dmesg.txt "in dmesg ($(user_crashes) user-space crash(es) logged; $_ys interrupt storm(s) on irq(s) ${*:-none} of a device xl pci-detach yanked, known upstream, not ours: docs/findings.md)"
}

# Whether a console log (file) has a line that is exactly the text given (its \r dropped).
log_says() { tr -d '\r' <"$1" 2>/dev/null | grep -qx "$2"; }

# Link-local IPv6 address of a netdev once DAD has finished.
ll_addr() {
	ip -6 addr show dev "$1" scope link 2>/dev/null | grep -v tentative |
		sed -n 's/.*inet6 \(fe80::[0-9a-f:]*\)\/64.*/\1/p' | head -n 1
}
has_ll_addr() { [ -n "$(ll_addr "$1")" ]; }
# Whether the driver domain has its xenbus "pci" device (the backend's connection) right now.
xenbus_present() { [ -e /sys/bus/xen/devices/pci-0 ]; }
xenbus_gone() { ! xenbus_present; }
# The last kernel log line matching the extended regex $1, without its timestamp; fails when none.
klog_last() {
	_kl=$(dmesg | grep -E "$1" | tail -n 1 | sed 's/^\[[ 0-9.]*\] //')
	[ -n "$_kl" ] && echo "$_kl"
}
# No duplicate address detection on a test NIC (each has its own MAC on QEMU's closed hub): a
# carrier that drops and returns after the link came up (e1000 autonegotiation) restarts DAD,
# the address turns tentative again for a second, and a ping then fails with "Cannot assign
# requested address" although the link is up. Set before the link goes up.
no_dad() {
	echo 0 >"/proc/sys/net/ipv6/conf/$1/accept_dad" 2>/dev/null
	echo 0 >"/proc/sys/net/ipv6/conf/$1/dad_transmits" 2>/dev/null
	return 0
}

# kmemleak (a debug kernel): nothing allocated since the driver domain's start may be left
# unreferenced. kmemleak_start forgets what boot left; kmemleak_clean scans (an object must be
# 5 s old to count) and fails with the suspects' full text. Without kmemleak there is nothing
# to scan: the step says so and passes only there.
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_start() { [ -e $KMEMLEAK ] && { echo scan >$KMEMLEAK; echo clear >$KMEMLEAK; }; true; }
kmemleak_clean() {
	[ -e $KMEMLEAK ] || { echo "no kmemleak in this kernel"; return 0; }
	sleep 6
	echo scan >$KMEMLEAK && echo scan >$KMEMLEAK || { echo "kmemleak scan failed"; return 1; }
	cat $KMEMLEAK >/tmp/kmemleak.txt || { echo "reading kmemleak failed"; return 1; }
	_n=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
	[ "$_n" = 0 ] && { echo "kmemleak: no unreferenced object"; return 0; }
	report_text kmemleak '^unreferenced object' /tmp/kmemleak.txt
	echo "kmemleak: $_n unreferenced object(s): $(grep -m1 -A12 '^unreferenced object' /tmp/kmemleak.txt | grep -m3 -E '\[<' | sed 's/.*\] //' | tr '\n' ' ')"
	return 1
}
