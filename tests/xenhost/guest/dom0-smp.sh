# SPDX-License-Identifier: GPL-2.0
# The smp scenario in dom0 (scenarios/smp.toml; sourced by scenario.sh): a driver domain with
# four vCPUs under load on each: dom0 detaches and attaches its e1000e meanwhile (domu-smp.sh).
scenario_run() {
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
}
