# SPDX-License-Identifier: GPL-2.0
# The smp scenario inside the driver domain (sourced by domu-init once the e1000 pings): 4 vCPUs
# on the 2-core emulated host, so that vCPUs are preempted mid-op. An NVMe controller on MSI-X
# with an I/O queue per vCPU; then, for SMP_SECS, at once: write/read-back rounds on the NVMe
# pinned to every vCPU, config-space reads pinned to every vCPU, a ping to dom0 over the e1000,
# and the op channel's irq moved to the next vCPU every second; meanwhile dom0 detaches the AHCI
# controller (bound, on MSI, its disk in use) and attaches it again. No op may time out, no data
# may differ, the ping must get through, the AHCI disk must come back, and the kernel log must
# stay clean.
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


# ---- A hotplug cycle under the load: dom0 runs xl pci-detach, then xl pci-attach, of the AHCI
# controller (scenario.sh, after XPF-SMP-HP-GO) while its disk is read on every vCPU in turn.
AHCI=$(find_dev 0x8086 0x2922)
ahci_disk() {
	[ -n "$AHCI" ] || { echo "no AHCI controller on the PV PCI bus"; return 1; }
	modprobe ahci && modprobe sd_mod || return 1
	wait_for 60 "/dev/sda" test -b /dev/sda || { dmesg | grep -iE 'ahci|ata' | tail -n 3; return 1; }
	echo "$AHCI: sda ready, $(cap_state "$AHCI")"
}
uptime_s() { cut -d. -f1 /proc/uptime; }
ahci_gone() { ! find_dev 0x8086 0x2922 >/dev/null && [ ! -b /dev/sda ]; }
ahci_back() { # found again (in whichever slot), bound, and its disk readable
	_a=$(find_dev 0x8086 0x2922) && [ -e "/sys/bus/pci/devices/$_a/driver" ] && [ -b /dev/sda ] &&
		dd if=/dev/sda of=/dev/null bs=4k count=16 iflag=direct 2>/dev/null
}
# In the background during the load; its verdict goes to /tmp/smp-hp ("ok: ..." or the reason).
smp_hotplug() {
	_c=0 _t0=$(uptime_s)
	while ! ahci_gone; do # the disk in use on each vCPU in turn until dom0 takes it
		[ $(($(uptime_s) - _t0)) -lt 300 ] ||
			{ echo "the AHCI controller was not detached in 300 s ($_c disk reads)" >/tmp/smp-hp; return; }
		taskset -c $((_c % NCPU)) dd if=/dev/sda of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null
		_c=$((_c + 1))
		[ $_c != 2 ] || echo "XPF-SMP-HP-GO" >/dev/console
		sleep 0.2
	done
	_t1=$(uptime_s)
	if ! _w=$(wait_for 150 "the AHCI controller back, bound, its disk readable" ahci_back); then
		echo "detached, never back: $_w" >/tmp/smp-hp
		return
	fi
	_a=$(find_dev 0x8086 0x2922)
	echo "ok: the AHCI controller detached after $_c disk reads and back as $_a in $(($(uptime_s) - _t1)) s, sda readable, $(cap_state "$_a")" >/tmp/smp-hp
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
	smp_hotplug &
	_t=0 _moves=0
	# The load lasts SMP_SECS, and until the hotplug cycle has its verdict (bounded: 450 s).
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
	_hpr=$(cat /tmp/smp-hp 2>/dev/null)
	_what="$_t s on $NCPU vCPUs: $_rounds NVMe rounds, $_bad bad; $_cfg config sweeps; ping: ${_rx:-0} received; irq $_irq moved $_moves times; $(op_health)"
	[ "$_bad" = 0 ] && [ "$_rounds" -ge "$NCPU" ] && [ -z "$_idle" ] || { echo "$_what (vCPUs with no NVMe round:${_idle:- none})"; return 1; }
	[ "${_rx:-0}" -ge 5 ] || { echo "$_what: $(tail -n 2 /tmp/smp-ping.txt | tr '\n' ' ')"; return 1; }
	[ "$xpf_frontend" != ours ] || op_health >/dev/null || { echo "$_what"; return 1; }
	case "$_hpr" in ok:*) ;; *) echo "hotplug under load: ${_hpr:-no verdict}; $_what"; return 1 ;; esac
	echo "$_what"
	echo "hotplug under load: $_hpr"
}

step nvme-load nvme_load || return 0
step ahci-disk ahci_disk || return 0
step nvme-msix-spread nvme_spread
step smp-load smp_load
step nvme-unload-end nvme_unload
step dmesg-clean-smp dmesg_clean
