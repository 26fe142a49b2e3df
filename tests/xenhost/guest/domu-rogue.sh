# SPDX-License-Identifier: GPL-2.0
# The rogue-backend scenario inside the driver domain (sourced by domu-init). dom0 runs
# xpf-rogue (tests/rogue/) in place of pciback, one misbehaviour at a time, each for a bounded
# time; then it removes the rogue's nodes, which ends the connection. For each one:
#   XPF-RG-READY <n> <name>   this side is ready: dom0 starts the rogue for round <n>, <name>
#   XPF-RG-DONE <n> <name>    this side has checked it
# (numbered: a list may name a round more than once, XPF_ROGUE_LIST=garbage+garbage+...)
# While a rogue serves us, config space is read in a loop so that ops keep flowing. Afterwards
# the domain must still answer, its kernel log since the start of the round must be free of
# oops, WARN, BUG, lockups and hung tasks, the frontend must unload and load again, and (for
# ours) the round's log must say what went wrong.
RG_DEV=/sys/bus/pci/devices/0000:00:00.0
RG_STATS=/sys/kernel/debug/xen-pcifront-cxx/frontend-0/stats

# What our frontend must have logged in each round (an extended regex over the round's dmesg).
rg_expect() {
	case "$1" in
	good) echo 'connected: 1 root bus' ;;
	silent | late | vanish) echo 'no answer from pciback|earlier op that timed out' ;;
	# A garbled value can also be the header type our frontend reads itself before the scan.
	garbage) echo 'refused|hidden from the scan' ;;
	badroots) echo 'root_num|root-[0-9]' ;;
	manyroots) echo 'connected: 40 root buses' ;;
	flap) echo 'backend went to state' ;;
	reconf) echo 'device entry [0-9]+ refused' ;;
	aer) echo 'AER request' ;;
	msix) echo 'MSI-X .*refused' ;;
	*) echo 'pcifront' ;; # flip, storm: no particular line; the frontend's last one is shown
	esac
}
unload_all() {
	case "$xpf_frontend" in
	intree) timeout 60 rmmod xen_pcifront ;;
	ours)
		# The xenbus core holds a reference on the frontend's module from probe to remove,
		# and the pci-0 link leaves sysfs before remove() runs: wait (bounded) for that
		# reference to go, or rmmod fails at once with EAGAIN, on a slow kernel mostly.
		wait_for 30 "xen_pcifront_cxx's last user" module_unused xen_pcifront_cxx || true
		for m in xen_pcifront_cxx xen_pcifront_hotplug xen_pcifront_msi xen_pcifront_evtchn; do
			grep -q "^$m " /proc/modules && { timeout 60 rmmod $m || return 1; }
		done
		;;
	esac
}
module_unused() { [ ! -e /sys/module/$1/refcnt ] || [ "$(cat /sys/module/$1/refcnt)" = 0 ]; }
reader_loop() { # name: reads the emulated device's config space while the xenbus device exists
	while xenbus_present; do
		if [ -e $RG_DEV/config ]; then
			[ "$(cat $RG_DEV/vendor 2>/dev/null)" = 0x5853 ] && touch /tmp/rg-seen-$1
			# The most root buses of domain 0000 seen at once (the manyroots round).
			_n=$(ls /sys/class/pci_bus | grep -c '^0000:')
			[ "$_n" -le "$(cat /tmp/rg-buses-$1 2>/dev/null || echo 0)" ] || echo "$_n" >/tmp/rg-buses-$1
			timeout 10 dd if=$RG_DEV/config of=/dev/null bs=256 count=1 2>/dev/null
		fi
		# The connection's op counters as last seen (they go with the device): for the why
		# of a failed round.
		grep -E '^ops ' $RG_STATS >/tmp/rg-stats-$1.new 2>/dev/null && mv /tmp/rg-stats-$1.new /tmp/rg-stats-$1
		sleep 0.2
	done
}
# The msix round: the test driver (tests/rogue/msix-probe/) asked for MSI-X in its probe, and the
# rogue answered every enable wrongly. None may have given the driver vectors, and (ours) each
# refusal must have been switched off at the backend: the next enable then found MSI-X off
# (no -EALREADY to recover from). Prints what the driver got, for the side-by-side table.
rg_msix() {
	_tries=$(grep -c 'xpf_msix_probe: try' /tmp/rg.log)
	_got=$(grep -c 'xpf_msix_probe: try [0-9]*: MSI-X with 4 vectors: got' /tmp/rg.log)
	_errs=$(sed -n 's/.*xpf_msix_probe: try [0-9]*: MSI-X with 4 vectors: error //p' /tmp/rg.log | sort | uniq -c | awk '{ printf "%s%sx %s", (NR > 1 ? ", " : ""), $1, $2 }')
	rmmod xpf_msix_probe 2>/dev/null
	[ "$_tries" -gt 0 ] || { echo "msix: the test driver never asked for MSI-X (device not enumerated, or no MSI-X capability seen)"; return 1; }
	_what="msix: $_tries tries, $_got given vectors (errors: ${_errs:-none})"
	if [ "$xpf_frontend" = ours ]; then
		_c=$(grep '^enables' $MSI_DEVS)
		_refused=$(echo "$_c" | sed -n 's/.*refused-vectors \([0-9]*\).*/\1/p')
		_recovered=$(echo "$_c" | sed -n 's/.*recovered \([0-9]*\).*/\1/p')
		[ "$_got" = 0 ] || { echo "$_what: bad vectors reached the driver"; return 1; }
		[ "$_refused" = "$_tries" ] || { echo "$_what: $_refused refused by the vector checks (counters: $_c)"; return 1; }
		[ "$_recovered" = 0 ] || { echo "$_what: a refused enable was left on at the backend (counters: $_c)"; return 1; }
		echo "XPF-SHOW rogue msix: MSI counters: $_c" >/dev/console
		_what="$_what, refused-vectors $_refused, recovered $_recovered"
	fi
	echo "$_what"
}
round_klog() { dmesg | sed -n "/$1/,\$p"; } # mark: the kernel log since that round's mark
# The round's last log line matching the extended regex $1 (not our own marks), without its
# timestamp, cut to $2 characters; empty when none.
rg_last() { grep -iE "$1" /tmp/rg.log | grep -vE 'XPF-RG' | tail -n 1 | sed 's/^\[[ 0-9.]*\] //' | cut -c1-"$2"; }
rg_counters() { cut -c1-90 /tmp/rg-stats-$1 2>/dev/null || echo none seen; } # name: as last seen
# What a failed round's why adds: how much log the round left, the frontend's last line in it
# and its op counters as last seen.
rg_why() { # name
	_fl=$(rg_last pcifront 120)
	echo "$(wc -l </tmp/rg.log) log lines since the mark; counters: $(rg_counters "$1"); last frontend line: ${_fl:-none}"
}
# One round, after dom0 has ended it: the checks.
rg_round() { # name mark
	_s=$1
	round_klog "$2" >/tmp/rg.log
	# Every check below reads this log: a round whose mark left the ring buffer checked nothing.
	[ -s /tmp/rg.log ] || { echo "$_s: the round's mark $2 is not in the kernel log (ring buffer overrun?): nothing to check"; return 1; }
	_bad=$(grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection fault[,:]|soft lockup|hung_task|blocked for more than|rcu.*stall' /tmp/rg.log | head -n 1)
	[ -z "$_bad" ] || { echo "$_s: kernel log: $_bad"; return 1; }
	_extra=
	if [ "$_s" = msix ]; then
		_extra=$(rg_msix) || { echo "$_extra"; return 1; }
		_extra=" $_extra;"
	fi
	unload_all >/tmp/rg-unload.log 2>&1 || { echo "$_s: unload failed: $(tail -n 1 /tmp/rg-unload.log)"; return 1; }
	load_frontend >/dev/null 2>&1 || { echo "$_s: the frontend did not load again"; return 1; }
	if { [ "$_s" = good ] || [ "$_s" = manyroots ]; } && [ ! -e /tmp/rg-seen-$_s ]; then
		echo "$_s: the rogue's device 0000:00:00.0 (5853:c0de) never appeared"
		return 1
	fi
	# 40 root buses, as the in-tree frontend takes them (issue 18, item 10): all of them made.
	if [ "$_s" = manyroots ]; then
		_buses=$(cat /tmp/rg-buses-$_s 2>/dev/null || echo 0)
		_extra=" $_buses root buses of 0000 at once;"
		[ "$_buses" -ge 40 ] || { echo "$_s: $_buses root buses of domain 0000 seen at once, not 40"; return 1; }
	fi
	_line=$(rg_last "$(rg_expect "$_s")" 140)
	case "$_s" in flip | storm) _need= ;; *) _need=1 ;; esac
	if [ "$xpf_frontend" = ours ] && [ -n "$_need" ] && [ -z "$_line" ]; then
		echo "$_s: survived, unloaded and loaded again, but no log line matching '$(rg_expect "$_s")' ($(rg_why "$_s"))"
		return 1
	fi
	echo "survived; unloaded and loaded again;$_extra log: ${_line:-(none)}"
}
# Issue 18.1: the op wait's Xen time must survive the admin switching the clocksource at run
# time. During the silent round (a backend that takes an op and never answers) the clocksource
# flips between tsc and xen every 0.2 s, from the moment the frontend has picked its time base
# for the round's connection (its "Xen clock for the op wait" line), so every op the round holds
# waits across changes. The round must stay bounded (no RCU stall, no lockup, the frontend
# unloads and loads again), as the rg_round checks demand; a connection whose time base is the
# clocksource (booted on xen) must have seen a change and dropped that base.
CS=/sys/devices/system/clocksource/clocksource0
cs_base() { round_klog "$mark" | grep -o 'Xen clock for the op wait: [a-z]*' | tail -n 1 | sed 's/.*: //'; }
cs_base_or_gone() { [ -n "$(cs_base)" ] || ! xenbus_present; }
cs_flipper() {
	_n=0
	wait_for 60 "the round's time base picked" cs_base_or_gone >/dev/null
	cs_base >/tmp/rg-cs-base
	_boot=$(cat $CS/current_clocksource)
	while xenbus_present; do
		for c in tsc xen; do
			# Counted only when the clocksource changed to it: a write the kernel cannot act
			# on (an unstable clocksource in NOHZ mode) still succeeds.
			_p=$(cat $CS/current_clocksource)
			echo $c >$CS/current_clocksource 2>/dev/null && [ "$_p" != $c ] &&
				[ "$(cat $CS/current_clocksource)" = $c ] && _n=$((_n + 1))
			sleep 0.2
		done
	done
	echo "$_boot" >$CS/current_clocksource 2>/dev/null
	echo "$_n $_boot" >/tmp/rg-flips
}
cs_flips() {
	_n=0 _boot=
	[ -r /tmp/rg-flips ] && read -r _n _boot </tmp/rg-flips
	_base=$(cat /tmp/rg-cs-base 2>/dev/null)
	_seen=$(round_klog "$mark" | grep -c 'the clocksource changed: ')
	echo "op-wait time base ${_base:-(no line)}; $_n switches taken; $_seen change(s) seen by the op wait; clocksource ${_boot:-?} before, $(cat $CS/current_clocksource) after (available: $(cat $CS/available_clocksource | tr -s ' '))"
	[ -n "$_base" ] && [ "${_n:-0}" -ge 4 ] && [ "$(cat $CS/current_clocksource)" = "$_boot" ] &&
		{ [ "$_base" != clocksource ] || [ "$_seen" -ge 1 ]; }
}
step frontend-loaded load_frontend || finish
rn=0
for s in $RG_LIST; do
	rn=$((rn + 1))
	mark="XPF-RG-MARK-$rn-$s"
	echo "$mark" >/dev/kmsg
	rm -f /tmp/rg-seen-$s /tmp/rg-buses-$s /tmp/rg-stats-$s /tmp/rg-flips /tmp/rg-cs-base
	# The msix round's test driver binds the rogue's device as soon as it appears.
	if [ "$s" = msix ]; then
		insmod /xpf/xpf_msix_probe.ko || check rogue-msix-driver sh -c 'echo "insmod /xpf/xpf_msix_probe.ko failed"; false'
	fi
	echo "XPF-RG-READY $rn $s" >/dev/console
	# dom0 starts the rogue once it has read our READY line off this console: seconds, or
	# more on a loaded host.
	if wait_for 180 "the rogue's device" xenbus_present >/dev/null; then
		reader_loop "$s" &
		rd=$!
		fl=
		if [ "$s" = silent ]; then
			cs_flipper &
			fl=$!
		fi
		# The rogue serves for a bounded time (dom0 decides), then its nodes go.
		wait_for 120 "the rogue's device gone" xenbus_gone >/dev/null
		kill $rd 2>/dev/null
		wait $rd 2>/dev/null
		if [ -n "$fl" ]; then
			wait $fl 2>/dev/null
			check rogue-silent-clocksource-flips cs_flips
		fi
		[ -e /tmp/rg-seen-$s ] && echo "XPF-SHOW rogue $s: the emulated device was enumerated"
		echo "XPF-SHOW rogue $s: counters $(rg_counters "$s"); kernel log $(dmesg | wc -c) bytes"
		# A round that served few ops (the frontend stopped early): its first log lines.
		case "$(sed -n 's/^ops \([0-9]*\) .*/\1/p' /tmp/rg-stats-$s 2>/dev/null)" in
		[0-9] | [1-4][0-9]) [ "$s" = garbage ] && round_klog "$mark" | grep -E 'pci|XPF-RG' | head -n 25 | cut -c1-200 | sed "s/^/XPF-SHOW rogue $s few ops: /" ;;
		esac
		check rogue-$s rg_round "$s" "$mark"
	else
		# What the xenbus side was doing: a xenwatch stuck in the last round's remove would
		# keep every new device from appearing.
		echo w >/proc/sysrq-trigger
		dmesg | tail -n 60 | sed 's/^/XPF-SHOW rogue-diag: /'
		check rogue-$s sh -c "echo '$s: the rogue never created its device (xenbus devices: $(ls /sys/bus/xen/devices | tr '\n' ' '))'; false"
	fi
	echo "XPF-RG-DONE $rn $s" >/dev/console
done
check dmesg-clean dmesg_clean
