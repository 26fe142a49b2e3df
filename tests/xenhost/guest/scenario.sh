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
# The driver domain's image (install: one with our package) and its bench round (none).
DOMU_RAMDISK=domu.cpio.gz DOMU_PKG= BENCH_ROUND=
# Its pci= line as the topology has it, and a create that attaches by hand without an IOMMU
# (a scenario that starts its domain without a device sets PLAIN_CREATE).
PLAIN_CREATE=
# The scenario's own part, if it has one: dom0-<scenario>.sh sets what it needs before the
# driver domain's config is written, and defines what this flow calls, each optional:
# scenario_instead (the whole run, no driver domain), scenario_cfg (the config's device lines,
# in place of pci=), scenario_run (once the driver domain is up), scenario_end (in place of the
# plain wrap-up), scenario_dmesg_clean (dom0's last check).
[ ! -f "/xpf/dom0-$scenario.sh" ] || . "/xpf/dom0-$scenario.sh"
has() { type "$1" >/dev/null 2>&1; }
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
extra="console=hvc0 rdinit=/init sysrq_always_enabled xpf_frontend=$frontend${DOMU_PKG:+ xpf_pkg=$DOMU_PKG}${BENCH_ROUND:+ xpf_round=$BENCH_ROUND}${xpf_bench_spin:+ xpf_bench_spin=$xpf_bench_spin}${xpf_bench_trace:+ xpf_bench_trace=$xpf_bench_trace} xpf_peer=$DOM0_LL xpf_scenario=$scenario xpf_topo=$topo xpf_pciback=${xpf_pciback:-vpci}${xpf_rogue_list:+ xpf_rogue_list=$xpf_rogue_list} xpf_cycles=$HP_CYCLES xpf_reconf_cycles=$HP_RECONF$cs_words"
memory=320
vcpus=$VCPUS
on_crash="preserve"
CFG
	if has scenario_cfg; then
		scenario_cfg >>/tmp/$DOMU.cfg || return 1
	elif [ "$topo" = iommu ]; then
		echo "pci=[$(for b in $PT_BDFS; do printf "'%s'," "$b"; done | sed 's/,$//')]" >>/tmp/$DOMU.cfg
	else
		noiommu_cfg $PT_BDFS >>/tmp/$DOMU.cfg || return 1
	fi
	grep -E '^(pci|iomem|ioports|irqs)=' /tmp/$DOMU.cfg | tr '\n' ' '
}
# A domain with no device at start, for `xl pci-attach` later: on a running PV domain that needs
# passthrough enabled, which libxl refuses without an IOMMU; there the harness attaches by hand
# and the domain is granted the device's resources up front.
cfg_no_device_at_start() {
	if [ "$topo" = iommu ]; then
		echo 'passthrough="enabled"'
		# Since 6.5 a domain's kernel sets xen-swiotlb up only at boot, and only when it may
		# get PCI devices: a domain started without one needs the host's memory map
		# (dmarefuse shows what happens without).
		[ -z "${xpf_e820_host:-}" ] || echo 'e820_host=1'
	else
		noiommu_cfg $PT_BDFS
	fi
}

create_domu() {
	if [ "$topo" = iommu ] || [ -n "$PLAIN_CREATE" ]; then
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

step dom0-nic dom0_nic_up || exit 0
DOM0_LL=$(ll_addr "$DOM0_IF")
step passthrough-device-in-pciback pt_held_by_pciback || exit 0
! has scenario_instead || { scenario_instead; exit 0; }
step domu-config write_cfg || exit 0
step domu-create create_domu || exit 0
DOMID=$(xl domid $DOMU)
! has scenario_run || scenario_run
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
if has scenario_end; then
	scenario_end
else
	domu_wrapup domU
fi
if has scenario_dmesg_clean; then
	scenario_dmesg_clean
else
	step dom0-dmesg-clean dmesg_clean
fi
dmesg | grep -iE 'pciback|xen_pciback' | tail -n 10 | sed 's/^/dom0-dmesg| /'
