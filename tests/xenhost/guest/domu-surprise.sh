# SPDX-License-Identifier: GPL-2.0
# The surprise scenario in the driver domain (scenarios/surprise.toml; sourced by domu-init).
# dom0 removes the function pciback holds (echo 1 > .../remove) while our e1000 driver is
# bound: presence reads (the vendor ID, as pci_device_is_present() does) must see it gone.
vendor_now() { dd if=/sys/bus/pci/devices/$BDF/config bs=4 count=1 2>/dev/null | od -An -tx4 | tr -d ' '; }
# All-ones through ours (an error answer); the in-tree frontend turns errors into 0.
gone() { case "$(vendor_now)" in ffffffff | 00000000) return 0 ;; esac; return 1; }
echo "XPF-SR-READY $(vendor_now)" >/dev/console
seen_gone() {
	wait_for 120 "the e1000 read as gone (vendor ID all-ones)" gone || { echo "the vendor ID still reads $(vendor_now)"; return 1; }
	echo "vendor ID reads $(vendor_now) after dom0 removed the device; $(grep '^cache' /sys/kernel/debug/xen-pcifront-cxx/frontend-0/stats 2>/dev/null)"
}
step surprise-seen-gone seen_gone
echo "XPF-SR-SEEN" >/dev/console
step dmesg-clean-after-removal dmesg_clean
