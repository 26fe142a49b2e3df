# SPDX-License-Identifier: GPL-2.0
# The aer scenario inside the driver domain (sourced by domu-init, after the e1000's steps): the
# virtio-net NIC behind a PCIe root port in dom0 gets an uncorrectable, non-fatal PCIe error
# injected by QEMU (dom0-aer.sh asks the host runner). dom0's AER core and pciback forward each
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

# ---- Round 2: the same error under a driver with every error handler
# (tests/xenhost/aer-driver/, bound by driver_override in place of virtio-pci). The frontend must
# call the driver's handler for each step pciback forwards, in the AER core's order, hand back
# its votes (so that dom0 goes on to the next step), and the device must answer at resume and
# carry traffic again under virtio-net afterwards.
aer_driver_bind() {
	echo "$ABDF" >/sys/bus/pci/drivers/virtio-pci/unbind || return 1
	insmod /xpf/xpf_aer_driver.ko || return 1
	echo xpf_aer_driver >/sys/bus/pci/devices/$ABDF/driver_override
	echo "$ABDF" >/sys/bus/pci/drivers_probe
	_d=$(readlink /sys/bus/pci/devices/$ABDF/driver)
	[ "${_d##*/}" = xpf_aer_driver ] || { echo "$ABDF bound to '${_d##*/}', not xpf_aer_driver"; return 1; }
	klog_last 'xpf_aer_driver: bound' | cut -c1-120
}
XPF_NO_RERUN=1 step aer-driver-bound aer_driver_bind || return 0
aer_count() { aer_stats | sed -n "s/.*$1 \([0-9]*\).*/\1/p"; }
REQ0=$(aer_count aer_requests) UNH0=$(aer_count aer_unhandled)
echo "XPF-AER2-READY" >/dev/console
aer_driver_steps() {
	wait_for 120 "the driver's resume" sh -c "dmesg | grep -q 'xpf_aer_driver: resume'" >/dev/null ||
		{ echo "the driver was not resumed: $(dmesg | grep 'xpf_aer_driver: ' | tail -n 3 | sed 's/^\[[ 0-9.]*\] //' | tr '\n' ' ')"; return 1; }
	_s=$(dmesg | sed -n 's/.*xpf_aer_driver: \([a-z_]*\) \(.*\) (step \([0-9]*\))$/\3:\1:\2/p' | tr '\n' ';')
	# A non-fatal error on a normal channel: detected (the driver votes it can recover), MMIO
	# enabled (recovered), resumed, with the device answering its vendor ID.
	case "$_s" in
	"1:error_detected:io_normal;2:mmio_enabled:recovered;3:resume:vendor 1af4;") ;;
	*) echo "the driver's steps: $_s (expected detected, mmio_enabled, resume with vendor 1af4)"; return 1 ;;
	esac
	if [ "$xpf_frontend" = ours ]; then
		_r=$(($(aer_count aer_requests) - REQ0)) _u=$(($(aer_count aer_unhandled) - UNH0))
		[ $_r -ge 3 ] && [ $_u = 0 ] || { echo "steps $_s; frontend: $_r requests, $_u unhandled since the driver was bound"; return 1; }
		echo "steps $_s; frontend: $_r requests, all answered by the driver"
	else
		echo "steps $_s"
	fi
}
check aer-driver-steps aer_driver_steps
aer_driver_back() { # virtio-net back on the function, and traffic
	echo "$ABDF" >/sys/bus/pci/drivers/xpf_aer_driver/unbind || return 1
	echo >/sys/bus/pci/devices/$ABDF/driver_override
	rmmod xpf_aer_driver || return 1
	echo "$ABDF" >/sys/bus/pci/drivers_probe
	virtio_up "$ABDF" >/dev/null || { echo "virtio-net did not come back on $ABDF"; return 1; }
	aer_ping
}
XPF_NO_RERUN=1 check aer-driver-nic-back aer_driver_back
echo "XPF-AER2-DONE" >/dev/console
dmesg | grep -E 'xpf_aer_driver|pcifront' | tail -n 8 | sed 's/^/XPF-SHOW   aer2| /'
step dmesg-clean-after-aer-driver dmesg_clean
