# SPDX-License-Identifier: GPL-2.0
# The aer scenario inside the driver domain (sourced by domu-init, after the e1000's steps): the
# virtio-net NIC behind a PCIe root port in dom0 gets an uncorrectable, non-fatal PCIe error
# injected by QEMU (scenario.sh asks the host runner). dom0's AER core and pciback forward each
# recovery step to the frontend. virtio-pci has no error handlers, so the frontend must answer
# as the AER core would, the domain must live, and the NIC must still pass traffic. With the
# in-tree frontend the same checks are a record (check()).
. /xpf/domu-devs.sh
step aer-nic-enumerated wait_for 60 "the virtio-net NIC on the PV PCI bus" virtio_bdf || return 0
ABDF=$(virtio_bdf)
aer_netdev() { virtio_netdev "$ABDF"; }
aer_ping() {
	_o=$(ping -6 -c 3 -w 30 "$xpf_peer%$(aer_netdev)" 2>&1)
	_r=$?
	echo "$_o" | tail -n 2 | tr '\n' ' '
	return $_r
}
step aer-nic-up virtio_up "$ABDF" || return 0
step aer-ping-before aer_ping || return 0
aer_stats() { grep '^aer_requests' /sys/kernel/debug/xen-pcifront-cxx/frontend-0/stats 2>/dev/null; }
echo "XPF-AER-READY" >/dev/console
# dom0's pciback sends a request per recovery step it reaches (error_detected first); the
# frontend counts them, and logs the step it answered for a driver without a handler. The in-tree frontend has no counter: its
# evidence is the NIC working again and its own log lines.
aer_handled() {
	if [ "$xpf_frontend" = ours ]; then
		wait_for 120 "the frontend's AER requests" sh -c "grep -q '^aer_requests [1-9]' /sys/kernel/debug/xen-pcifront-cxx/frontend-0/stats" >/dev/null ||
			{ echo "no AER request reached the frontend: $(aer_stats)"; return 1; }
		# The recovery's last step (resume) ends it; give it a moment after the first request.
		sleep 5
		echo "$(aer_stats | cut -d' ' -f1-4); $(klog_last 'AER' | cut -c1-140)"
	else
		wait_for 20 "the in-tree frontend's AER line" sh -c "dmesg | grep -qiE 'pcifront.*aer|aer.*pcifront|pcifront_do_aer|pcifront_common_process'" >/dev/null ||
			{ echo "no AER line from the in-tree frontend"; return 1; }
		klog_last 'pcifront' | cut -c1-160
	fi
}
check aer-handled aer_handled
aer_ping_after() {
	# Should the recovery have reset the link: wait for it, then ping.
	wait_for 60 "carrier on $(aer_netdev) after the recovery" grep -q 1 "/sys/class/net/$(aer_netdev)/carrier" >/dev/null || return 1
	wait_for 30 "link-local address after the recovery" has_ll_addr "$(aer_netdev)" >/dev/null || return 1
	aer_ping
}
check aer-ping-after aer_ping_after
echo "XPF-AER-DONE" >/dev/console
dmesg | grep -iE 'aer|virtio|pcifront' | tail -n 15 | sed 's/^/XPF-SHOW   aer| /'
step dmesg-clean-after-aer dmesg_clean
