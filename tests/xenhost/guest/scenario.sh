# SPDX-License-Identifier: GPL-2.0
# Runs in dom0: the scenario named by xpf_scenario, with the frontend xpf_frontend
# (intree|ours) in the driver domain and the topology xpf_topo (iommu|noiommu).
. /xpf/lib.sh
. /xpf/noiommu.sh
DOMU=drv
scenario=${xpf_scenario:-baseline}
frontend=${xpf_frontend:-intree}
topo=${xpf_topo:-iommu}

# Steps run in a subshell: what later steps need is computed in the main shell.
for n in /sys/bus/pci/devices/$DOM0_BDF/net/*; do DOM0_IF=${n##*/}; done
dom0_nic_up() {
	[ -e "/sys/class/net/$DOM0_IF" ] || { echo "no netdev on $DOM0_BDF"; return 1; }
	no_dad "$DOM0_IF"
	ip link set "$DOM0_IF" up || return 1
	wait_for 30 "link-local address on $DOM0_IF" has_ll_addr "$DOM0_IF" || return 1
	echo "$DOM0_IF $(ll_addr "$DOM0_IF")"
}

PT_BDFS=$(pt_bdfs)
pt_held_by_pciback() {
	for b in $PT_BDFS; do
		drv=$(readlink "/sys/bus/pci/devices/$b/driver")
		[ "${drv##*/}" = pciback ] || { echo "$b is bound to '${drv##*/}', not pciback"; return 1; }
	done
	echo "$PT_BDFS bound to pciback"
}
# The driver domain's vCPUs, as the scenario declares them (msi: two, so that NVMe gets an I/O
# queue and an MSI-X vector per CPU; smp: four, more than the host's two cores).
VCPUS=${xpf_vcpus:-1}
# The install scenario boots the driver domain twice: from an image with our package installed
# by dpkg (modules autoloaded by alias), then from one where dpkg removed it again (images.sh).
DOMU_RAMDISK=domu.cpio.gz DOMU_PKG=
if [ "$scenario" = install ]; then
	DOMU_RAMDISK=domu-pkg.cpio.gz DOMU_PKG=installed
	frontend=pkg
fi
# The bench scenario boots a driver domain per frontend and round, alternating which goes first
# (ours, in-tree; in-tree, ours; ...), all in this one boot: ratios need the same host.
BENCH_ROUND=
if [ "$scenario" = bench ]; then
	BENCH_ORDER=$(i=1; while [ $i -le "${xpf_bench_rounds:-3}" ]; do
		if [ $((i % 2)) = 1 ]; then echo "ours:$i intree:$i"; else echo "intree:$i ours:$i"; fi
		i=$((i + 1)); done)
	BENCH_ROUND=1 frontend=ours DOMU=bench-ours-1
	# Each side on its own physical CPU of the emulated host (xpf_bench_pin=0 turns it off):
	# dom0's vCPUs on CPU 0, each driver domain's on CPU 1. Left to the scheduler, a driver
	# domain's vCPU shared a CPU with dom0's busy one or not, by chance, and a domain's speed
	# then varied by up to 2x within one boot even where no config op was measured.
	BENCH_PIN=
	if [ "${xpf_bench_pin:-1}" = 1 ]; then
		if xl vcpu-pin 0 all 0 >/tmp/pin.log 2>&1; then
			BENCH_PIN=1
			echo "XPF-SHOW bench pinned: dom0's vCPUs on CPU 0, the driver domains' on CPU 1" >/dev/console
		else
			echo "XPF-SHOW bench not pinned: $(tr '\n' ' ' </tmp/pin.log)" >/dev/console
		fi
	fi
fi
HP_CYCLES=${xpf_cycles:-20}
HP_RECONF=${xpf_reconf_cycles:-3}

write_cfg() {
	# The tsc clocksource: TCG's vCPUs do not keep their TSCs in sync, so a domain with more than one
	# vCPU marks the TSC unstable at boot and stays on xen ("TSCs unsynchronized") unless told the TSC
	# is reliable, as an admin choosing tsc on such a host would have to.
	cs_words=
	[ -n "${xpf_clocksource:-}" ] && cs_words=" clocksource=$xpf_clocksource xpf_clocksource=$xpf_clocksource"
	[ "${xpf_clocksource:-}" = tsc ] && cs_words="$cs_words tsc=reliable"
	cat >/tmp/$DOMU.cfg <<CFG
name="$DOMU"
type="pv"
kernel="/xpf/vmlinuz"
ramdisk="/xpf/$DOMU_RAMDISK"
extra="console=hvc0 rdinit=/init sysrq_always_enabled xpf_frontend=$frontend${DOMU_PKG:+ xpf_pkg=$DOMU_PKG}${BENCH_ROUND:+ xpf_round=$BENCH_ROUND} xpf_peer=$DOM0_LL xpf_scenario=$scenario xpf_topo=$topo xpf_pciback=${xpf_pciback:-vpci}${xpf_rogue_list:+ xpf_rogue_list=$xpf_rogue_list} xpf_cycles=$HP_CYCLES xpf_reconf_cycles=$HP_RECONF$cs_words"
memory=320
vcpus=$VCPUS
on_crash="preserve"
CFG
	if [ "$scenario" = rogue ]; then
		# No device: dom0's xpf-rogue plays the backend. Its msix round's BAR page.
		printf 'iomem=["%x,1"]\n' $((RG_MSIX_BAR >> 12)) >>/tmp/$DOMU.cfg
		# A 6.5+ kernel started without a device sets xen-swiotlb up only with the host's
		# memory map, and without it our frontend refuses every device (as it must).
		[ -z "${xpf_e820_host:-}" ] || echo 'e820_host=1' >>/tmp/$DOMU.cfg
	elif [ "$scenario" = hotplug ] || [ "$scenario" = dmarefuse ]; then
		# No device at start: `xl pci-attach` on a running PV domain needs passthrough
		# enabled, which libxl refuses without an IOMMU; there the harness attaches by hand
		# and the domain is granted the device's resources up front.
		if [ "$topo" = iommu ]; then
			echo 'passthrough="enabled"' >>/tmp/$DOMU.cfg
			# Since 6.5 a domain's kernel sets xen-swiotlb up only at boot, and only when
			# it may get PCI devices: a domain started without one needs the host's memory
			# map (dmarefuse shows what happens without).
			[ -z "${xpf_e820_host:-}" ] || echo 'e820_host=1' >>/tmp/$DOMU.cfg
		else
			noiommu_cfg $PT_BDFS >>/tmp/$DOMU.cfg || return 1
		fi
	elif [ "$scenario" = bench ]; then
		# The e1000 from the start; the e1000e is hot-attached (bench_hotplug).
		echo "pci=['$PT_BDF']" >>/tmp/$DOMU.cfg
		[ -z "$BENCH_PIN" ] || echo 'cpus="1"' >>/tmp/$DOMU.cfg
	elif [ "$topo" = iommu ]; then
		echo "pci=[$(for b in $PT_BDFS; do printf "'%s'," "$b"; done | sed 's/,$//')]" >>/tmp/$DOMU.cfg
	else
		noiommu_cfg $PT_BDFS >>/tmp/$DOMU.cfg || return 1
	fi
	grep -E '^(pci|iomem|ioports|irqs)=' /tmp/$DOMU.cfg | tr '\n' ' '
}

create_domu() {
	if [ "$topo" = iommu ] || [ "$scenario" = hotplug ] || [ "$scenario" = rogue ]; then
		xl create /tmp/$DOMU.cfg >/tmp/xl-create.log 2>&1 || { cat /tmp/xl-create.log; return 1; }
	else
		xl create -p /tmp/$DOMU.cfg >/tmp/xl-create.log 2>&1 || { cat /tmp/xl-create.log; return 1; }
		noiommu_attach "$(xl domid $DOMU)" $PT_BDFS || return 1
		xl unpause $DOMU || return 1
	fi
	echo "domain $DOMU is $(xl domid $DOMU)"
}

now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
# xl pci-attach/pci-detach, watched (#18 item 11). Around each op libxl polls the backend's
# `state` 100 times 100 ms; when that runs out it logs "Backend <path> not ready", skips the rest
# of its xenstore bookkeeping and xl still exits 0, so a frontend that answers late (or never)
# showed only as a 10 s op. Here that line fails the op, with the backend's and the frontend's
# xenbus states as they changed while xl ran (sampled every 0.1 s), which say whose answer came
# late. Output: xl's log in /tmp/hp.log; the states in /tmp/hp-states.txt.
hp_states() { # domid
	_be=/local/domain/0/backend/pci/$1/0 _fe=/local/domain/$1/device/pci/0 _last= _s=$(now_ms)
	while :; do
		_cur="backend $(xenstore-read $_be/state 2>/dev/null || echo -) frontend $(xenstore-read $_fe/state 2>/dev/null || echo -)"
		[ "$_cur" = "$_last" ] || echo "+$(($(now_ms) - _s)) ms: $_cur"
		_last=$_cur
		sleep 0.1
	done
}
xl_hotplug() { # attach|detach domain bdf [domid]
	_hp_id=${4:-$(xl domid "$2" 2>/dev/null)}
	hp_states "$_hp_id" >/tmp/hp-states.txt 2>&1 &
	_hp_tracer=$!
	xl pci-$1 "$2" "$3" >/tmp/hp.log 2>&1
	_hp_rc=$?
	kill $_hp_tracer 2>/dev/null
	wait $_hp_tracer 2>/dev/null
	[ $_hp_rc -eq 0 ] || { echo "xl pci-$1 failed: $(tail -n 3 /tmp/hp.log | tr '\n' ' ')"; return 1; }
	if grep -qE 'Backend .* (not ready|does not exist)' /tmp/hp.log; then
		echo "xl pci-$1 $3: libxl's wait for the backend failed ($(grep -m1 -E 'Backend .* (not ready|does not exist)' /tmp/hp.log)); states: $(tr '\n' ';' </tmp/hp-states.txt)"
		return 1
	fi
}
domu_log() { echo /var/log/xen/console/guest-$DOMU.log; }
domu_done() { grep -q 'XPF-DOMU-END' "$(domu_log)" 2>/dev/null; }
# The driver domain said line $1 on its console (hotplug and rogue handshakes).
console_says() { log_says "$(domu_log)" "$1"; }
# Xen's state letters for the driver domain ("r-----", "----c-", ...), empty once it is gone.
domu_state() { xl list "$DOMU" 2>/dev/null | awk 'NR == 2 { print $5 }'; }
# Why the driver domain can no longer say a line dom0 waits for (wait_for's WAIT_GIVE_UP, called
# each poll with the count of polls): it ended its steps, crashed (its init killed, say, by the
# TCG flake: on_crash="preserve" keeps it) or is gone. Its state is looked at every 5 s.
domu_cannot_say() { # polls
	domu_done && { echo "the driver domain ended its steps"; return 0; }
	[ $(($1 % 10)) = 9 ] || return 1
	case "$(domu_state)" in
	*c* | "") echo "the driver domain crashed or went away (state '$(domu_state)')" ;;
	*) return 1 ;;
	esac
}
# wait_domu SECONDS what LINE: waits for the driver domain's console line LINE, giving up early
# when it can no longer come.
wait_domu() { WAIT_GIVE_UP=domu_cannot_say wait_for "$1" "$2" console_says "$3"; }

relay_domu() { # prefix (domU), console log (the driver domain's)
	_rlog=${2:-$(domu_log)}
	# The driver domain's own KTAP results, as dom0's results named <prefix>:<step>, numbered in
	# dom0's document; each keeps its diagnostic line when that names it.
	tr -d '\r' <"$_rlog" | while IFS= read -r _l; do
		case "$_l" in
		"# "*": "*) _dn=${_l#\# } _dn=${_dn%%: *} _dd=${_l#*: } ;;
		"ok "[0-9]* | "not ok "[0-9]*)
			_rn=${_l#*ok } _rn=${_rn#* }
			[ "$_dn" = "$_rn" ] || _dd=
			case "$_l" in ok*) _rr=ok ;; *) _rr=fail ;; esac
			ktap_result $_rr "${1:-domU}:$_rn" "$_dd"
			_dn= _dd= ;;
		esac
	done
	echo "XPF-DOMU-LOG-BEGIN"
	tr -d '\r' <"$_rlog" | grep -E 'XPF-SHOW|XPF-LSPCI|XPF-FLAKE' | head -n 300
	# A debug kernel's reports in full (lib.sh report_text).
	tr -d '\r' <"$_rlog" | grep -E '^XPF-REPORT ' | head -n 200
	# The last lines: a long run's failure is at its end.
	tr -d '\r' <"$_rlog" | grep -E 'traps:|pcifront|e1000|nvme|xen-pcifront|pciback|WARNING|BUG|segfault|rcu|stall|lockup|timeout|xpf-rogue|xpf_msix|AER|Oops|general protection|UBSAN|KFENCE|ODEBUG|corruption|RIP:' | grep -vE 'XPF-|^(ok|not ok) [0-9]|^# |^KTAP ' | tail -n 200
	echo "XPF-DOMU-LOG-END"
}

if [ "$scenario" = msiprobe ]; then
	# The e1000e's MSI self-test with no PCI frontend at all: the device stays with dom0 (a
	# PV domain on the same Xen, MSI set up by Xen directly). If it fails here too, the
	# failure belongs to the emulated host, not to any frontend.
	selftest_dom0() {
		modprobe e1000e IntMode=1 || return 1
		for n in /sys/bus/pci/devices/0000:00:05.0/net/*; do E=${n##*/}; done
		ip link set "$E" up || return 1
		sleep 3
		r=$(dmesg | grep -m1 -E 'MSI interrupt test failed' || echo "MSI self-test passed (no failure line)")
		echo "dom0 $E IntMode=1: $r; $(lspci -vvv -s 00:05.0 | grep -oE 'MSI: Enable[+-]'); irqs: $(grep "$E" /proc/interrupts | tr -s ' ' | tr '\n' ';')"
	}
	step dom0-e1000e-msi-selftest selftest_dom0
	exit 0
fi
step dom0-nic dom0_nic_up || exit 0
DOM0_LL=$(ll_addr "$DOM0_IF")
step passthrough-device-in-pciback pt_held_by_pciback || exit 0
if [ "$scenario" = stubdom ] || [ "$scenario" = stubreboot ]; then
	. /xpf/stubdom.sh
	step dom0-dmesg-clean dmesg_clean
	exit 0
fi
step domu-config write_cfg || exit 0
step domu-create create_domu || exit 0
DOMID=$(xl domid $DOMU)
if [ "$scenario" = hotplug ]; then
	# dom0 attaches and detaches the e1000; the driver domain says when it has seen each.
	hp_op() { # attach|detach bdf: what went wrong on stdout
		[ "$topo" != iommu ] || { xl_hotplug "$1" $DOMU "$2" "$DOMID"; return; }
		noiommu_hot_$1 "$DOMID" "$2" >/tmp/hp.log 2>&1 ||
			{ echo "failed: $(tail -n 3 /tmp/hp.log | tr '\n' ' ')"; return 1; }
	}
	# pciback's backend device for the domain: after the last detach libxl removes its
	# directory, and the device goes a moment later. Attaching again before it has gone
	# made libxl fail the attach halfway (rc -3) under load.
	be_dev_gone() { [ ! -e "/sys/bus/xen-backend/devices/pci-$DOMID-0" ]; }
	hp_cycles() { # prefix count: e1000 cycles <prefix>1..<prefix>count
		att=0 det=0 i=1
		while [ $i -le "$2" ]; do
			id=$1$i
			# Phase 1 only: in phase 2 the NVMe keeps the backend.
			[ -n "$1" ] || wait_for 60 "pciback's previous backend device gone" be_dev_gone >/dev/null ||
				{ echo "cycle $id: pciback still has a backend device for $DOMU"; return 1; }
			t0=$(now_ms)
			r=$(hp_op attach "$PT_BDF") || { echo "cycle $id: attach: $r"; xl dmesg | tail -n 5 | tr "\n" " "; return 1; }
			t1=$(now_ms)
			wait_domu 150 "cycle $id up" "XPF-HP-UP $id" >/dev/null ||
				{ echo "cycle $id: the driver domain never saw the e1000 (its console: $(tail -n 3 "$(domu_log)" | tr -d '\r' | tr '\n' ' '))"; return 1; }
			t2=$(now_ms)
			r=$(hp_op detach "$PT_BDF") || { echo "cycle $id: detach: $r"; return 1; }
			t3=$(now_ms)
			wait_domu 150 "cycle $id down" "XPF-HP-DOWN $id" >/dev/null ||
				{ echo "cycle $id: the driver domain still has the e1000"; return 1; }
			att=$((att + t1 - t0)) det=$((det + t3 - t2))
			i=$((i + 1))
		done
		echo "$2 cycles; mean attach $((att / $2)) ms, detach $((det / $2)) ms ($([ "$topo" = iommu ] && echo "xl pci-attach/pci-detach" || echo "the harness's xenstore helper"))"
	}
	backend_gone() {
		! xenstore-exists "/local/domain/0/backend/pci/$DOMID" 2>/dev/null || { echo "backend directory still there"; return 1; }
		echo "no pci backend left for $DOMU after the last detach"
	}
	anchor_round() {
		wait_for 60 "pciback's previous backend device gone" be_dev_gone >/dev/null ||
			{ echo "pciback still has a backend device for $DOMU"; return 1; }
		r=$(hp_op attach "$HP_ANCHOR_BDF") || { echo "NVMe attach: $r"; return 1; }
		wait_domu 200 "NVMe bound in the driver domain" XPF-HP-ANCHOR-UP >/dev/null ||
			{ echo "the driver domain never said the NVMe was bound"; return 1; }
		cyc=$(hp_cycles r "$HP_RECONF") || { echo "$cyc"; return 1; }
		wait_domu 150 "the driver domain's checks around the NVMe" XPF-HP-CHECKED >/dev/null ||
			{ echo "the driver domain never finished its checks with the NVMe attached"; return 1; }
		r=$(hp_op detach "$HP_ANCHOR_BDF") || { echo "NVMe detach: $r"; return 1; }
		wait_domu 150 "NVMe removed in the driver domain" XPF-HP-ANCHOR-DOWN >/dev/null ||
			{ echo "the driver domain still has the NVMe after its detach"; return 1; }
		echo "NVMe attached, then $cyc; NVMe detached"
	}
	step domu-ready wait_domu 300 "driver domain ready for hotplug" XPF-HP-READY &&
		XPF_NO_RERUN=1 step dom0-hotplug-cycles hp_cycles "" "$HP_CYCLES" &&
		step dom0-backend-removed backend_gone &&
		step domu-ready-phase2 wait_domu 300 "driver domain ready for phase 2" XPF-HP-READY2 &&
		XPF_NO_RERUN=1 step dom0-hotplug-reconf-cycles anchor_round &&
		step dom0-backend-removed-phase2 backend_gone || handshake_failed=1
fi
if [ "$scenario" = smp ]; then
	# A hotplug cycle under the driver domain's load on every vCPU (domu-smp.sh): the e1000e,
	# bound there on MSI-X, detached and attached again.
	SMP_HP_BDF=0000:00:05.0
	smp_hotplug() {
		t0=$(now_ms)
		xl_hotplug detach $DOMU $SMP_HP_BDF "$DOMID" || return 1
		t1=$(now_ms)
		xl_hotplug attach $DOMU $SMP_HP_BDF "$DOMID" || return 1
		echo "under the driver domain's load: xl pci-detach $((t1 - t0)) ms, xl pci-attach $(($(now_ms) - t1)) ms"
	}
	step domu-smp-load-running wait_domu 400 "the driver domain's load on every vCPU" XPF-SMP-HP-GO &&
		XPF_NO_RERUN=1 step dom0-smp-hotplug smp_hotplug || handshake_failed=1
fi
if [ "$scenario" = surprise ]; then
	# The device vanishes in dom0 under a bound driver in the driver domain.
	sr_remove() {
		[ -e "/sys/bus/pci/devices/$PT_BDF" ] || { echo "no $PT_BDF in dom0"; return 1; }
		echo 1 >"/sys/bus/pci/devices/$PT_BDF/remove" || return 1
		[ ! -e "/sys/bus/pci/devices/$PT_BDF" ] || { echo "$PT_BDF still there"; return 1; }
		echo "$PT_BDF removed in dom0 with the driver domain's driver bound; pciback: $(klog_last pciback | cut -c1-120)"
	}
	step domu-ready-surprise wait_domu 300 "the driver domain's e1000 bound and pinging" "XPF-SR-READY 100e8086" &&
		XPF_NO_RERUN=1 step dom0-surprise-remove sr_remove &&
		step domu-saw-removal wait_domu 200 "the driver domain's check" XPF-SR-SEEN || handshake_failed=1
fi
if [ "$scenario" = aer ]; then
	# A real PCIe error in the e1000e behind its root port, under the driver domain's bound
	# e1000e driver: QEMU injects it (the host runner sends our request to QEMU's monitor),
	# dom0's AER core reports it and pciback forwards each recovery step to the frontend.
	AER_BDF=0000:01:00.0 AER_PORT=0000:00:05.0
	AER_REPORT_RE="AER: .*(Uncorrect|Corrected)|$AER_BDF.*AER"
	aer_reports() { dmesg | grep -cE "$AER_REPORT_RE"; }
	aer_inject() {
		# A device reports errors only where its Device Control register lets it. 6.1's AER
		# core leaves that to the device's driver, and pciback does not set it (6.4 and later
		# set it for every device when AER is native): set it here, as those do, on the
		# device and its root port. QEMU also forwards an error message only from a function
		# whose Command register has SERR# enabled (hw/pci/pcie_aer.c, pcie_aer_msg_alldev),
		# which Linux does not set: set that too, and the root port's SERR# forwarding.
		for _b in "$AER_BDF" "$AER_PORT"; do
			setpci -s "$_b" CAP_EXP+8.w=000f:000f COMMAND=0100:0100 ||
				{ echo "setpci of $_b's Device Control and Command failed"; return 1; }
		done
		setpci -s "$AER_PORT" BRIDGE_CONTROL=0002:0002 || { echo "setpci of $AER_PORT's Bridge Control failed"; return 1; }
		# A new report: more of dom0's AER lines than before this injection.
		_n0=$(aer_reports)
		echo "XPF-HOST-REQ pcie_aer_inject_error aer0 POISON_TLP" >/dev/console
		if ! wait_for 60 "dom0's AER report for $AER_BDF" sh -c "[ \$(dmesg | grep -cE '$AER_REPORT_RE') -gt $_n0 ]" >/dev/null; then
			# Where the error stopped: the device's and the root port's error registers, and
			# the root port's interrupt.
			{
				lspci -vvv -s "$AER_BDF" | grep -E 'Control:|Status:|DevCtl|DevSta|UESta|UEMsk|UESvrt'
				lspci -vvv -s "$AER_PORT" | grep -E 'Control:|Status:|BridgeCtl|DevCtl|RootCmd|RootSta|ErrorSrc'
				grep -E 'aer|PCIe PME' /proc/interrupts
			} 2>&1 | sed 's/^/XPF-SHOW   aer-dom0| /' >/dev/console
			echo "dom0 reported no AER error: $(dmesg | grep -iE 'aer|pcieport' | tail -n 2 | tr '\n' ' ' | cut -c1-200)"
			return 1
		fi
		echo "$(klog_last 'AER: ' | cut -c1-160)"
	}
	aer_pciback() {
		# pciback's verdict: on an answer it reads as fatal (PCI_ERS_RESULT_NONE, which the
		# in-tree frontend gives for a driver without handlers) it asks the toolstack to kill
		# the domain by writing aerState=aerfail in the backend's directory (xl does not act
		# on it; xend did).
		_as=$(xenstore-read "/local/domain/0/backend/pci/$DOMID/0/aerState" 2>/dev/null)
		if [ -n "$_as" ] || [ "$(aer_kill_lines)" -gt "$AER_KILL0" ]; then
			echo "pciback asked for the driver domain to be killed: aerState '$_as' $(klog_last 'no AER driver' | cut -c1-120)"
			return 1
		fi
		_l=$(dmesg | grep -E 'pciback.*(AER|aer|error|reset)|AER: .*(recovery|Recovery|resume|reset)' | tail -n 2 | sed 's/^\[[ 0-9.]*\] //' | tr '\n' ' ')
		echo "${_l:-no pciback or recovery line}" | cut -c1-240
	}
	aer_kill_lines() { dmesg | grep -c 'guest with no AER driver should have been killed'; }
	AER_KILL0=$(aer_kill_lines)
	aer_round1=0
	step domu-ready-aer wait_domu 300 "the driver domain's virtio-net NIC up and pinging" XPF-AER-READY &&
		XPF_NO_RERUN=1 step dom0-aer-injected aer_inject &&
		step domu-aer-done wait_domu 300 "the driver domain's recovery" XPF-AER-DONE && aer_round1=1
	[ $aer_round1 = 1 ] && step dom0-aer-pciback aer_pciback || handshake_failed=1
	# Round 2: the same error with the driver domain's test driver (every error handler) bound.
	# pciback's verdict on round 1 does not stop it: xl does not act on aerState=aerfail, the
	# driver domain lives on, and round 2 records how its frontend does under a driver with
	# handlers (the in-tree frontend's outcome, docs/findings.md). Round 2 gets its own verdict.
	if [ $aer_round1 = 1 ]; then
		xenstore-rm "/local/domain/0/backend/pci/$DOMID/0/aerState" 2>/dev/null
		AER_KILL0=$(aer_kill_lines)
		step domu-ready-aer-driver wait_domu 300 "the driver domain's test driver bound" XPF-AER2-READY &&
			XPF_NO_RERUN=1 step dom0-aer-injected-driver aer_inject &&
			step domu-aer-driver-done wait_domu 300 "the driver domain's recovery through the driver" XPF-AER2-DONE &&
			step dom0-aer-pciback-driver aer_pciback || handshake_failed=1
	fi
fi
if [ "$scenario" = vanish ]; then
	# The toolstack's answer to a dead backend domain: the frontend's xenstore directory is
	# removed under a bound driver (libxl does so when the backend cannot close). The driver
	# domain must drop its devices, keep no connection, and write nothing there again: the
	# directory may already be a new device's (2026 kernels: xenbus_device.vanished).
	VN_FE=/local/domain/$DOMID/device/pci/0
	vn_remove() {
		xenstore-exists "$VN_FE" || { echo "no $VN_FE"; return 1; }
		xenstore-rm "$VN_FE" || { echo "xenstore-rm $VN_FE failed"; return 1; }
		echo "removed $VN_FE with the driver domain's e1000 bound"
	}
	vn_untouched() {
		sleep 5
		if xenstore-exists "$VN_FE"; then
			echo "$VN_FE was written again after its removal: $(xenstore-ls "$VN_FE" 2>&1 | head -n 3 | tr '\n' ' ')"
			return 1
		fi
		echo "$VN_FE still absent 5 s after the driver domain dropped the device"
	}
	step domu-ready-vanish wait_domu 300 "the driver domain's e1000 bound and pinging" XPF-VN-READY &&
		XPF_NO_RERUN=1 step dom0-vanish-remove vn_remove &&
		step domu-saw-vanish wait_domu 200 "the driver domain's check" XPF-VN-SEEN &&
		step dom0-frontend-dir-untouched vn_untouched || handshake_failed=1
fi
if [ "$scenario" = dmarefuse ]; then
	# A 6.5+ driver domain started with passthrough="enabled", no device and no e820_host: its
	# kernel set up no xen-swiotlb, so a device attached now would DMA to the wrong memory. Our
	# frontend must refuse it (the driver domain checks), and the detach must still work.
	dr_round() {
		xl_hotplug attach $DOMU "$PT_BDF" "$DOMID" || return 1
		wait_domu 150 "the driver domain's check of the attach" XPF-DR-CHECKED >/dev/null ||
			{ echo "the driver domain never checked the attach"; return 1; }
		t0=$(now_ms)
		xl_hotplug detach $DOMU "$PT_BDF" "$DOMID" || return 1
		echo "xl pci-attach, refused in the driver domain; xl pci-detach in $(($(now_ms) - t0)) ms"
	}
	step domu-ready wait_domu 300 "driver domain ready" XPF-HP-READY &&
		XPF_NO_RERUN=1 step dom0-dma-refuse-round dr_round || handshake_failed=1
fi
if [ "$scenario" = rogue ]; then
	# xpf-rogue plays pciback for the driver domain, one misbehaviour per round; its own
	# lines go to the console as dom0-rogue|.
	RG_SECS=${xpf_rogue_secs:-10}
	run_rogue() { # round
		XPF_ROGUE_BAR=$RG_MSIX_BAR timeout 150 /xpf/xpf-rogue "$DOMID" "$1" "$RG_SECS" >/tmp/rogue-$1.log 2>&1
	}
	rogue_rounds() {
		n=0
		for s in $RG_LIST; do
			wait_domu 240 "driver domain ready for $s" "XPF-RG-READY $s" >/dev/null ||
				{ echo "the driver domain never got ready for round $s (stuck in the round before?)"; return 1; }
			run_rogue "$s"
			rc=$?
			# A rogue that crashed before it created its nodes (the TCG user-space flake): the
			# driver domain has seen nothing yet and is still waiting, so it starts again.
			if [ $rc -ge 132 ] && [ $rc -le 139 ] && ! grep -q 'waiting for the frontend' /tmp/rogue-$s.log; then
				echo "dom0-rogue| round $s: xpf-rogue died on signal $((rc - 128)) before it created its nodes; starting it again" >/dev/console
				run_rogue "$s"
				rc=$?
			fi
			sed "s/^/dom0-rogue| /" /tmp/rogue-$s.log | tail -n 12 >/dev/console
			# A rogue that died without its cleanup: its nodes go here, ending the round.
			xenstore-rm "/local/domain/$DOMID/device/pci/0" 2>/dev/null
			xenstore-rm "/local/domain/0/xpf-rogue/$DOMID" 2>/dev/null
			# Killed by SIGILL..SIGSEGV (124 is timeout's own): the TCG user-space flake, most
			# likely; run.sh calls a run with this line an infrastructure failure.
			case $rc in
			0 | 1) ;;
			13[2-9]) echo "dom0-rogue| round $s: xpf-rogue killed by signal $((rc - 128))" >/dev/console ;;
			*) echo "dom0-rogue| round $s: xpf-rogue exited with $rc" >/dev/console ;;
			esac
			wait_domu "${xpf_rogue_wait:-240}" "round $s checked" "XPF-RG-DONE $s" >/dev/null ||
				{ echo "the driver domain did not finish round $s (hung?)"; return 1; }
			n=$((n + 1))
		done
		echo "$n rounds against xpf-rogue, ${RG_SECS} s each: $RG_LIST"
	}
	XPF_NO_RERUN=1 step dom0-rogue-rounds rogue_rounds || handshake_failed=1
fi
# After a handshake that timed out the driver domain is stuck (or its script died): no point in
# a long wait, and the run's own bound must leave time for what follows.
domu_wrapup() { # prefix of the relayed steps
if ! step domu-finished wait_for "$([ -n "${handshake_failed:-}" ] && echo 30 || echo 400)" \
	"driver domain steps finished" domu_done; then
	# What the driver domain was doing: its blocked tasks (sysrq w, through xenstore: works
	# while its user space is stuck), its console's end, its vCPUs, Xen's view of it. A
	# user-space crash in its tail makes run.sh call the run an infrastructure failure.
	xl sysrq $DOMU w 2>/dev/null && sleep 5
	tail -n 150 "$(domu_log)" | tr -d '\r' | sed 's/^/domU-tail| /'
	xl list
	xl vcpu-list $DOMU
	xl debug-keys q && xl dmesg | tail -n 60 | sed 's/^/xl-dmesg| /'
fi
relay_domu "$1"
step domu-gone domu_gone
}
domu_gone() {
	# The driver domain powers itself off at the end of its steps; destroy it only if not.
	if wait_for 90 "driver domain shut down" sh -c "! xl domid $DOMU"; then return 0; fi
	xl destroy $DOMU && echo "destroyed (it did not shut down)"
}
if [ "$scenario" = install ]; then
	domu_wrapup domU-installed
	# The same device, a new domain booted from the image where `dpkg -r` removed the package.
	DOMU=drv-removed DOMU_RAMDISK=domu-unpkg.cpio.gz DOMU_PKG=removed
	step domu-config-removed write_cfg &&
		step domu-create-removed create_domu &&
		domu_wrapup domU-removed
elif [ "$scenario" = bench ]; then
	# The port on the driver domain's last console line "TAG <port>", only from a whole line
	# (its CR written): a line still being logged could end in a port's first digits.
	console_port() { # tag
		awk -v re="^$1 [0-9]+\r\$" '$0 ~ re { p = $2 } END { sub(/\r$/, "", p); if (p == "") exit 1; print p }' \
			"$(domu_log)" 2>/dev/null
	}
	floor_port() { console_port XPF-FLOOR-PORT; }
	kfloor_port() { console_port XPF-FLOOR-KPORT; }
	# Both floors' dom0 side, in the background: xpf-bench floor-echo answers each of the
	# user-space floor's events; then xpf_floor_echo is bound to the kernel floor's port and
	# unloaded once it has measured (before the next domain's).
	floor_echo() {
		# xl once (twice if the TCG flake kills it), not again in the background.
		_id=$(xl domid "$DOMU" 2>/dev/null) || _id=$(xl domid "$DOMU") || return 1
		_n=$((BENCH_FLOOR_OPS * BENCH_FLOOR_ROUNDS))
		(
			# In a job of its own: a user-space floor that died (the TCG flake) leaves its
			# echo waiting up to 120 s, and the kernel floor must not wait behind it.
			(
				WAIT_GIVE_UP=domu_cannot_say wait_for 300 "the floor's port" floor_port >/dev/null || exit 0
				timeout 120 /xpf/xpf-bench floor-echo "$_id" "$(floor_port)" "$_n" 2>&1 | sed "s/^/dom0-floor| $DOMU: /"
			) &
			WAIT_GIVE_UP=domu_cannot_say wait_for 900 "the kernel floor's port" kfloor_port >/dev/null || exit 0
			insmod /xpf/xpf_floor_echo.ko domid="$_id" port="$(kfloor_port)" || exit 0
			WAIT_GIVE_UP=domu_cannot_say wait_for 240 "the kernel floor measured" console_says XPF-FLOOR-KDONE >/dev/null
			rmmod xpf_floor_echo
		) </dev/null >/dev/console 2>&1 &
	}
	bench_domu() { write_cfg >/dev/null && create_domu && floor_echo; }
	# The hotplug rows, timed here: from `xl pci-attach` of the e1000e to the driver domain
	# saying its netdev is up, and from `xl pci-detach` to it saying the device is gone. The
	# console is polled every 0.1 s.
	console_wait() { # seconds line
		_n=0
		until console_says "$2"; do
			_n=$((_n + 1))
			[ $_n -lt $(($1 * 10)) ] && ! domu_done || return 1
			sleep 0.1
		done
	}
	# xl pci-OP of the e1000e, then the driver domain's LINE: "<ms to xl's return> <ms to LINE>".
	# An op that took more than 2 s shows each change of the xenbus states with its time
	# (hp_states), and libxl's "not ready" (a 10 s wait for the backend timed out), so a slow
	# detach says whose answer came late; the row keeps its time.
	timed_hotplug() { # op line
		_id=$(xl domid $DOMU 2>/dev/null)
		hp_states "$_id" >/tmp/hp-states.txt 2>&1 &
		_tracer=$!
		_t0=$(now_ms)
		xl pci-$1 $DOMU $BENCH_HP_BDF >/tmp/hp.log 2>&1 || { kill $_tracer; echo "$1 failed: $(tail -n 3 /tmp/hp.log | tr '\n' ' ')"; return 1; }
		_t1=$(now_ms)
		# Sampled 5 s more: a state that came late is then told from one that never came.
		[ $((_t1 - _t0)) -le 2000 ] || sleep 5
		kill $_tracer 2>/dev/null; wait $_tracer 2>/dev/null
		if [ $((_t1 - _t0)) -gt 2000 ]; then
			{ echo "XPF-SHOW slow hotplug: fe=$frontend round=$BENCH_ROUND xl pci-$1 ($((_t1 - _t0)) ms), states:"
				sed 's/^/XPF-SHOW   /' /tmp/hp-states.txt
				grep -i "not ready\|error" /tmp/hp.log | sed 's/^/XPF-SHOW   xl: /'; } >/dev/console
		fi
		console_wait 180 "$2" || { echo "the driver domain never said $2 after the $1"; return 1; }
		echo "$((_t1 - _t0)) $(($(now_ms) - _t0))"
	}
	bench_hotplug() {
		wait_domu 900 "the driver domain ready for the hotplug rows" XPF-BENCH-HP-READY >/dev/null || return 1
		a=$(timed_hotplug attach XPF-BENCH-HP-UP) || { echo "$a"; return 1; }
		wait_domu 600 "the MSI-X cycles" XPF-BENCH-HP-DETACH >/dev/null || return 1
		d=$(timed_hotplug detach XPF-BENCH-HP-DOWN) || { echo "$d"; return 1; }
		set -- $a $d
		echo "XPF-SHOW bench fe=$frontend round=$BENCH_ROUND hotplug attach_ms=$2 detach_ms=$4 xl_attach_ms=$1 xl_detach_ms=$3" >/dev/console
		echo "e1000e: attach to usable $2 ms, detach $4 ms"
	}
	floor_echo
	step "bench-hotplug-ours-1" bench_hotplug
	domu_wrapup domU-ours-1
	for b in $BENCH_ORDER; do
		[ "$b" = ours:1 ] && continue # the first, booted above
		frontend=${b%:*} BENCH_ROUND=${b#*:}
		DOMU=bench-$frontend-$BENCH_ROUND
		if ! step "domu-create-$frontend-$BENCH_ROUND" bench_domu; then
			# A create that failed (xl killed by the TCG flake, say) costs this domain's
			# rows, not the rounds after it.
			xl destroy "$DOMU" >/dev/null 2>&1
			continue
		fi
		step "bench-hotplug-$frontend-$BENCH_ROUND" bench_hotplug
		domu_wrapup "domU-$frontend-$BENCH_ROUND"
	done
else
	domu_wrapup domU
fi
if [ "$scenario" = hotplug ] && [ "$topo" = iommu ]; then
	# xl pci-detach yanked the e1000 under traffic, before the driver domain heard of it
	# (klog_drop_yank_storms): what that may do to dom0's copy of its INTx line is libxl's.
	step dom0-dmesg-clean dmesg_clean_after_yanks "$(cat "/sys/bus/pci/devices/$PT_BDF/irq")"
else
	step dom0-dmesg-clean dmesg_clean
fi
dmesg | grep -iE 'pciback|xen_pciback' | tail -n 10 | sed 's/^/dom0-dmesg| /'
