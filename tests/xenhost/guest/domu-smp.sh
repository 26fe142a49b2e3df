# SPDX-License-Identifier: GPL-2.0
# The smp scenario inside the driver domain (sourced by domu-init once the e1000 pings): 4 vCPUs
# on the 2-core emulated host, so that vCPUs are preempted mid-op. An NVMe controller on MSI-X
# with an I/O queue per vCPU; then, for SMP_SECS, at once: write/read-back rounds on the NVMe
# pinned to every vCPU, config-space reads pinned to every vCPU, pings to dom0 over the e1000
# and over a virtio-net NIC, and the op channel's irq moved to the next vCPU every second;
# meanwhile dom0 detaches the e1000e (bound, on MSI-X) and attaches it again. No op may time
# out, no data may differ, both pings must get through, the e1000e must come back bound, and
# the kernel log must stay clean.
. /xpf/domu-devs.sh
SMP_SECS=${xpf_smp_secs:-45}
NCPU=$(nproc)

nvme_spread() { # an I/O queue vector per vCPU, each firing after I/O pinned to its vCPU
	_c=0
	while [ $_c -lt "$NCPU" ]; do
		taskset -c $_c dd if=/dev/nvme0n1 of=/dev/null bs=4k count=64 iflag=direct skip=$((_c * 4096)) 2>/dev/null
		_c=$((_c + 1))
	done
	_l=$(irq_lines 'nvme0q[1-9]')
	_fired=$(irq_counts 'nvme0q[1-9]' | tr ' ' '\n' | grep -c ':[1-9][0-9]*$')
	echo "$NCPU vCPUs, $_l I/O queue irq lines, $_fired firing: $(irq_counts 'nvme0q')"
	[ "$_l" -ge "$NCPU" ] && [ "$_fired" -ge "$NCPU" ]
}


# ---- A hotplug cycle under the load: dom0 runs xl pci-detach, then xl pci-attach, of the e1000e
# (dom0-smp.sh, after XPF-SMP-HP-GO): bound, on MSI-X, link up, while the other devices carry
# the load. It is idle as an admin leaves a device before detaching it: libxl tells a PV guest
# last, after it has revoked, reset and deassigned the device, so a device in the middle of DMA
# then faults in the IOMMU and its driver's removal waits out its own timeouts (seen with the
# AHCI disk busy: docs/findings.md), whichever frontend there is.
uptime_s() { cut -d. -f1 /proc/uptime; }
# In the background during the load; its verdict goes to /tmp/smp-hp ("ok: ..." or the reason).
smp_hotplug() {
	_t0=$(uptime_s)
	echo "XPF-SMP-HP-GO" >/dev/console
	if ! _w=$(wait_for 300 "the e1000e detached" e1000e_gone); then
		echo "the e1000e was not detached: $_w" >/tmp/smp-hp
		return
	fi
	_t1=$(uptime_s)
	if ! _w=$(wait_for 150 "the e1000e back, bound, with its netdev" e1000e_usable); then
		echo "detached after $((_t1 - _t0)) s, never back: $_w" >/tmp/smp-hp
		return
	fi
	_b=$(find_dev 0x8086 0x10d3)
	echo "ok: the e1000e detached after $((_t1 - _t0)) s, back as $_b in $(($(uptime_s) - _t1)) s, $(cap_state "$_b")" >/tmp/smp-hp
}

smp_load() {
	rm -f /tmp/smp-stop /tmp/smp-io.* /tmp/smp-cfg.[0-9]* /tmp/smp-hp
	_irq=$(op_irq) || { echo "$_irq"; return 1; }
	_c=0
	while [ $_c -lt "$NCPU" ]; do
		taskset -c $_c sh /xpf/domu-smp-io.sh io $_c &
		taskset -c $_c sh /xpf/domu-smp-io.sh cfg $_c &
		_c=$((_c + 1))
	done
	ping -6 -i 0.5 -w "$SMP_SECS" "$xpf_peer%$IF" >/tmp/smp-ping.txt 2>&1 &
	ping -6 -i 0.5 -w "$SMP_SECS" "$xpf_peer%$(virtio_netdev "$VBDF")" >/tmp/smp-vping.txt 2>&1 &
	smp_hotplug &
	_t=0 _moves=0
	# The load lasts SMP_SECS, and until the hotplug cycle has its verdict (500 s at most in all).
	while [ $_t -lt "$SMP_SECS" ] || { [ $_t -lt 500 ] && [ ! -s /tmp/smp-hp ]; }; do
		printf '%x' $((1 << (_t % NCPU))) >/proc/irq/$_irq/smp_affinity && _moves=$((_moves + 1))
		sleep 1
		_t=$((_t + 1))
	done
	touch /tmp/smp-stop
	wait
	_rounds=0 _bad=0 _cfg=0 _c=0 _idle=
	while [ $_c -lt "$NCPU" ]; do
		set -- $(cat /tmp/smp-io.$_c 2>/dev/null || echo "0 1")
		_rounds=$((_rounds + $1)) _bad=$((_bad + $2))
		[ "$1" -gt 0 ] || _idle="$_idle $_c"
		_cfg=$((_cfg + $(cat /tmp/smp-cfg.$_c 2>/dev/null || echo 0)))
		_c=$((_c + 1))
	done
	_rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/smp-ping.txt)
	_vrx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/smp-vping.txt)
	_hpr=$(cat /tmp/smp-hp 2>/dev/null)
	_what="$_t s on $NCPU vCPUs: $_rounds NVMe rounds, $_bad bad; $_cfg config sweeps; ping: ${_rx:-0} received (e1000), ${_vrx:-0} (virtio-net); irq $_irq moved $_moves times; $(op_health)"
	[ "$_bad" = 0 ] && [ "$_rounds" -ge "$NCPU" ] && [ -z "$_idle" ] || { echo "$_what (vCPUs with no NVMe round:${_idle:- none})"; return 1; }
	[ "${_rx:-0}" -ge 5 ] || { echo "$_what: $(tail -n 2 /tmp/smp-ping.txt | tr '\n' ' ')"; return 1; }
	[ "${_vrx:-0}" -ge 5 ] || { echo "$_what: virtio-net: $(tail -n 2 /tmp/smp-vping.txt | tr '\n' ' ')"; return 1; }
	[ "$xpf_frontend" != ours ] || op_health >/dev/null || { echo "$_what"; return 1; }
	case "$_hpr" in ok:*) ;; *) echo "hotplug under load: ${_hpr:-no verdict}; $_what"; return 1 ;; esac
	echo "hotplug under load: ${_hpr#ok: }; $_what"
}

step nvme-load nvme_load || return 0
step e1000e-up e1000e_load || return 0
VBDF=$(virtio_bdf)
step virtio-net-up virtio_up "$VBDF" || return 0
step nvme-msix-spread nvme_spread
step smp-load smp_load
step nvme-unload-end nvme_unload
step dmesg-clean-smp dmesg_clean
