# SPDX-License-Identifier: GPL-2.0
# The surprise scenario in dom0 (scenarios/surprise.toml; sourced by scenario.sh): dom0 removes
# the function pciback holds while the driver domain's driver is bound.
scenario_run() {
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
}
