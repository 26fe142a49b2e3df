# SPDX-License-Identifier: GPL-2.0
# The hotplug scenario in dom0 (scenarios/hotplug.toml; sourced by scenario.sh): dom0 attaches
# and detaches the e1000 (and the NVMe) with xl; the driver domain says when it has seen each
# (domu-hotplug.sh).
# No device at start: `xl pci-attach` on a running PV domain needs passthrough enabled, which
# libxl refuses without an IOMMU; there the harness attaches by hand and the domain is granted the
# device's resources up front (cfg_no_device_at_start).
PLAIN_CREATE=1
scenario_cfg() { cfg_no_device_at_start; }
# xl pci-detach yanked the e1000 under traffic, before the driver domain heard of it
# (klog_drop_yank_storms): what that may do to dom0's copy of its INTx line is libxl's.
scenario_dmesg_clean() {
	if [ "$topo" = iommu ]; then
		step dom0-dmesg-clean dmesg_clean_after_yanks "$(cat "/sys/bus/pci/devices/$PT_BDF/irq")"
	else
		step dom0-dmesg-clean dmesg_clean
	fi
}
scenario_run() {
	# dom0 attaches and detaches the e1000; the driver domain says when it has seen each.
	hp_op() { # attach|detach bdf: what went wrong on stdout
		[ "$topo" != iommu ] || { xl_hotplug "$1" $DOMU "$2" "$DOMID"; return; }
		noiommu_hot_$1 "$DOMID" "$2" >/tmp/hp.log 2>&1 ||
			{ echo "failed: $(tail -n 3 /tmp/hp.log | tr '\n' ' ')"; return 1; }
	}
	# pciback's backend device for the domain: after the last detach libxl removes its
	# directory, and the device goes a moment later. Attaching again before it has gone
	# made libxl fail the attach halfway (rc -3) under load.
	be_dev_gone() { [ ! -e "/sys/bus/xen-backend/devices/pci-$DOMID-0" ]; }
	hp_cycles() { # prefix count: e1000 cycles <prefix>1..<prefix>count
		att=0 det=0 i=1
		while [ $i -le "$2" ]; do
			id=$1$i
			# Phase 1 only: in phase 2 the NVMe keeps the backend.
			[ -n "$1" ] || wait_for 60 "pciback's previous backend device gone" be_dev_gone >/dev/null ||
				{ echo "cycle $id: pciback still has a backend device for $DOMU"; return 1; }
			t0=$(now_ms)
			r=$(hp_op attach "$PT_BDF") || { echo "cycle $id: attach: $r"; xl dmesg | tail -n 5 | tr "\n" " "; return 1; }
			t1=$(now_ms)
			wait_domu 150 "cycle $id up" "XPF-HP-UP $id" >/dev/null ||
				{ echo "cycle $id: the driver domain never saw the e1000 (its console: $(tail -n 3 "$(domu_log)" | tr -d '\r' | tr '\n' ' '))"; return 1; }
			t2=$(now_ms)
			r=$(hp_op detach "$PT_BDF") || { echo "cycle $id: detach: $r"; return 1; }
			t3=$(now_ms)
			wait_domu 150 "cycle $id down" "XPF-HP-DOWN $id" >/dev/null ||
				{ echo "cycle $id: the driver domain still has the e1000"; return 1; }
			att=$((att + t1 - t0)) det=$((det + t3 - t2))
			i=$((i + 1))
		done
		echo "$2 cycles; mean attach $((att / $2)) ms, detach $((det / $2)) ms ($([ "$topo" = iommu ] && echo "xl pci-attach/pci-detach" || echo "the harness's xenstore helper"))"
	}
	backend_gone() {
		! xenstore-exists "/local/domain/0/backend/pci/$DOMID" 2>/dev/null || { echo "backend directory still there"; return 1; }
		echo "no pci backend left for $DOMU after the last detach"
	}
	anchor_round() {
		wait_for 60 "pciback's previous backend device gone" be_dev_gone >/dev/null ||
			{ echo "pciback still has a backend device for $DOMU"; return 1; }
		r=$(hp_op attach "$HP_ANCHOR_BDF") || { echo "NVMe attach: $r"; return 1; }
		wait_domu 200 "NVMe bound in the driver domain" XPF-HP-ANCHOR-UP >/dev/null ||
			{ echo "the driver domain never said the NVMe was bound"; return 1; }
		cyc=$(hp_cycles r "$HP_RECONF") || { echo "$cyc"; return 1; }
		wait_domu 150 "the driver domain's checks around the NVMe" XPF-HP-CHECKED >/dev/null ||
			{ echo "the driver domain never finished its checks with the NVMe attached"; return 1; }
		r=$(hp_op detach "$HP_ANCHOR_BDF") || { echo "NVMe detach: $r"; return 1; }
		wait_domu 150 "NVMe removed in the driver domain" XPF-HP-ANCHOR-DOWN >/dev/null ||
			{ echo "the driver domain still has the NVMe after its detach"; return 1; }
		echo "NVMe attached, then $cyc; NVMe detached"
	}
	step domu-ready wait_domu 300 "driver domain ready for hotplug" XPF-HP-READY &&
		XPF_NO_RERUN=1 step dom0-hotplug-cycles hp_cycles "" "$HP_CYCLES" &&
		step dom0-backend-removed backend_gone &&
		step domu-ready-phase2 wait_domu 300 "driver domain ready for phase 2" XPF-HP-READY2 &&
		XPF_NO_RERUN=1 step dom0-hotplug-reconf-cycles anchor_round &&
		step dom0-backend-removed-phase2 backend_gone || handshake_failed=1
}
