# SPDX-License-Identifier: GPL-2.0
# The vanish scenario in the driver domain (scenarios/vanish.toml; sourced by domu-init).
# dom0 removes our xenstore directory under the bound e1000 (dom0-vanish.sh says why).
echo "XPF-VN-READY" >/dev/console
vn_dropped() {
	wait_for 120 "the xenbus device unregistered" xenbus_gone >/dev/null ||
		{ echo "/sys/bus/xen/devices/pci-0 still there"; return 1; }
	wait_for 60 "the e1000 removed" sh -c "[ ! -e /sys/bus/pci/devices/$BDF ]" >/dev/null ||
		{ echo "$BDF still on the bus"; return 1; }
	if [ "$xpf_frontend" = ours ]; then
		_l=$(klog_last 'xenstore directory was removed or reset') ||
			{ echo "no line from our frontend about the vanished directory"; return 1; }
		# A connection to a device that is gone must not be kept for a reload.
		! grep -q ' parked$' /sys/kernel/debug/xen-pcifront-cxx/bindings ||
			{ echo "a connection was kept (parked) for the vanished device"; return 1; }
		_l=$(echo "$_l" | cut -c1-60)
	fi
	echo "device gone, e1000 removed; core: $(klog_last 'forcefully removed|state reset' || echo '(no vanished line: pre-2026 core)'); ours: ${_l:-in-tree}"
}
step vanish-dropped vn_dropped
echo "XPF-VN-SEEN" >/dev/console
step dmesg-clean-after-vanish dmesg_clean
