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
	ip link set "$DOM0_IF" up || return 1
	wait_for 30 "link-local address on $DOM0_IF" has_ll_addr "$DOM0_IF" || return 1
	echo "$DOM0_IF $(ll_addr "$DOM0_IF")"
}

pt_held_by_pciback() {
	drv=$(readlink "/sys/bus/pci/devices/$PT_BDF/driver")
	[ "${drv##*/}" = pciback ] || { echo "$PT_BDF is bound to '${drv##*/}', not pciback"; return 1; }
	echo "$PT_BDF bound to pciback"
}

write_cfg() {
	cat >/tmp/$DOMU.cfg <<CFG
name="$DOMU"
type="pv"
kernel="/xpf/vmlinuz"
ramdisk="/xpf/domu.cpio.gz"
extra="console=hvc0 rdinit=/init xpf_frontend=$frontend xpf_peer=$DOM0_LL xpf_scenario=$scenario"
memory=320
vcpus=1
on_crash="preserve"
CFG
	if [ "$topo" = iommu ]; then
		echo "pci=['$PT_BDF']" >>/tmp/$DOMU.cfg
	else
		noiommu_cfg "$PT_BDF" >>/tmp/$DOMU.cfg || return 1
	fi
	grep -E '^(pci|iomem|ioports|irqs)=' /tmp/$DOMU.cfg | tr '\n' ' '
}

create_domu() {
	if [ "$topo" = iommu ]; then
		xl create /tmp/$DOMU.cfg >/tmp/xl-create.log 2>&1 || { cat /tmp/xl-create.log; return 1; }
	else
		xl create -p /tmp/$DOMU.cfg >/tmp/xl-create.log 2>&1 || { cat /tmp/xl-create.log; return 1; }
		noiommu_attach "$(xl domid $DOMU)" "$PT_BDF" || return 1
		xl unpause $DOMU || return 1
	fi
	echo "domain $DOMU is $(xl domid $DOMU)"
}

domu_log() { echo /var/log/xen/console/guest-$DOMU.log; }
domu_done() { grep -q 'XPF-DOMU-END' "$(domu_log)" 2>/dev/null; }

relay_domu() {
	# The driver domain's own steps, as dom0 steps named domU:<step>.
	tr -d '\r' <"$(domu_log)" | sed -n 's/^XPF-DOMU-STEP \(PASS\|FAIL\) /XPF-STEP \1 domU:/p'
	echo "XPF-DOMU-LOG-BEGIN"
	tr -d '\r' <"$(domu_log)" | grep -E 'XPF-SHOW|XPF-LSPCI|traps:|pcifront|e1000|xen-pcifront|pciback|WARNING|BUG|segfault' | head -n 200
	echo "XPF-DOMU-LOG-END"
}

step dom0-nic dom0_nic_up || exit 0
DOM0_LL=$(ll_addr "$DOM0_IF")
step passthrough-device-in-pciback pt_held_by_pciback || exit 0
step domu-config write_cfg || exit 0
step domu-create create_domu || exit 0
if ! step domu-finished wait_for 300 "driver domain steps finished" domu_done; then
	tail -n 40 "$(domu_log)" | sed 's/^/domU| /'
	xl list
fi
relay_domu
domu_gone() {
	# The driver domain powers itself off at the end of its steps; destroy it only if not.
	if wait_for 30 "driver domain shut down" sh -c "! xl domid $DOMU"; then return 0; fi
	xl destroy $DOMU && echo "destroyed (it did not shut down)"
}
step domu-gone domu_gone
step dom0-dmesg-clean dmesg_clean
dmesg | grep -iE 'pciback|xen_pciback' | tail -n 10 | sed 's/^/dom0-dmesg| /'
