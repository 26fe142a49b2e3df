# SPDX-License-Identifier: GPL-2.0
# The dmarefuse scenario in the driver domain (scenarios/dmarefuse.toml; sourced by domu-init).
# dom0 attaches the e1000 to this domain, which has no xen-swiotlb (dom0-dmarefuse.sh): the
# frontend must refuse it with its log line, and no driver may get it.
step frontend-loaded load_frontend || finish
echo "XPF-HP-READY" >/dev/console
dma_refused() {
	wait_for 150 "the frontend's refusal" sh -c 'dmesg | grep -q "devices refused: this domain.s kernel did not set up xen-swiotlb"' || return 1
	sleep 3
	[ -z "$(nic_bdf)" ] || { echo "the e1000 was added anyway: $(nic_bdf)"; return 1; }
	klog_last "devices refused" | cut -c1-200
}
step dma-refused dma_refused
echo "XPF-DR-CHECKED" >/dev/console
step detach-closed wait_for 150 "the backend gone after the detach" xenbus_gone
step dmesg-clean dmesg_clean
