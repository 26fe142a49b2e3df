# SPDX-License-Identifier: GPL-2.0
# The msiprobe scenario in dom0 (scenarios/msiprobe.toml; sourced by scenario.sh): the e1000e's
# MSI self-test in dom0, no driver domain.
scenario_instead() {
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
}
