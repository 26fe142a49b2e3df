# SPDX-License-Identifier: GPL-2.0
# The modload scenario in the driver domain (scenarios/modload.toml; sourced by domu-init).
# Our module set in a real PV driver domain, and its coexistence rule with the in-tree one.
ours_loaded() { [ "$(grep -c '^xen_pcifront_\(cxx\|evtchn\|msi\|hotplug\) ' /proc/modules)" = 4 ]; }
unload_ours() {
	# A bound xenbus device pins its driver's module (the e1000 is passed through here too).
	if [ -e /sys/bus/xen/drivers/pcifront-cxx/pci-0 ]; then
		echo pci-0 >/sys/bus/xen/drivers/pcifront-cxx/unbind || return 1
	fi
	for m in xen_pcifront_cxx xen_pcifront_hotplug xen_pcifront_msi xen_pcifront_evtchn; do
		grep -q "^$m " /proc/modules && { rmmod $m || return 1; }
	done
	echo "unloaded"
}
step ours-load sh -c 'modprobe xen-pcifront-cxx && grep -c "^xen_pcifront" /proc/modules'
step ours-four-modules ours_loaded
step ours-log-line sh -c 'dmesg | grep "xen-pcifront-cxx: loaded (op timeout"'
step ours-bindings-view sh -c 'head -n 1 /sys/kernel/debug/xen-pcifront-cxx/bindings'
step ours-xen-clock sh -c 'dmesg | grep -E "xen-pcifront-evtchn: (Xen system time|no Xen system time)" | tail -n 1'
step ours-unload unload_ours
step intree-load sh -c 'modprobe xen-pcifront && grep "^xen_pcifront " /proc/modules | cut -d" " -f1'
step ours-refused-while-intree-loaded sh -c '! modprobe xen-pcifront-cxx 2>/dev/null && dmesg | grep "owns the PCI frontend hook" | tail -n 1'
step ours-companions-unload unload_ours
step dmesg-clean dmesg_clean
