# SPDX-License-Identifier: GPL-2.0
# The dmarefuse scenario in dom0 (scenarios/dmarefuse.toml; sourced by scenario.sh): a 6.12
# driver domain started without a device and without e820_host=1 gets the e1000 by hot-attach:
# the frontend must refuse it.
scenario_cfg() { cfg_no_device_at_start; }
scenario_run() {
	# A 6.5+ driver domain started with passthrough="enabled", no device and no e820_host: its
	# kernel set up no xen-swiotlb, so a device attached now would DMA to the wrong memory. Our
	# frontend must refuse it (the driver domain checks), and the detach must still work.
	dr_round() {
		xl_hotplug attach $DOMU "$PT_BDF" "$DOMID" || return 1
		wait_domu 150 "the driver domain's check of the attach" XPF-DR-CHECKED >/dev/null ||
			{ echo "the driver domain never checked the attach"; return 1; }
		t0=$(now_ms)
		xl_hotplug detach $DOMU "$PT_BDF" "$DOMID" || return 1
		echo "xl pci-attach, refused in the driver domain; xl pci-detach in $(($(now_ms) - t0)) ms"
	}
	step domu-ready wait_domu 300 "driver domain ready" XPF-HP-READY &&
		XPF_NO_RERUN=1 step dom0-dma-refuse-round dr_round || handshake_failed=1
}
