# SPDX-License-Identifier: GPL-2.0
# The hotplug scenario inside the driver domain (sourced by domu-init). The domain starts with no
# PCI device; dom0 (dom0-hotplug.sh) runs `xl pci-attach` / `xl pci-detach` of the e1000 in a loop
# and waits for this side's console lines between them:
#   XPF-HP-READY          the frontend is loaded, nothing attached yet
#   XPF-HP-UP <i>         cycle i: the e1000 appeared and its driver bound (and pinged dom0)
#   XPF-HP-DOWN <i>       cycle i: the e1000 is gone again
# The first cycles and the last one ping dom0 and keep a ping running while dom0 detaches; the
# others check that the device appears with its driver bound and goes away. Each of these
# cycles opens and closes the whole connection (the e1000 is the only device: its detach is a
# Reconfiguring round, then libxl removes the backend). Then the same cycles run with an NVMe
# controller attached all along, so that every attach is a Reconfigured rescan:
#   XPF-HP-READY2         phase 2: waiting for the NVMe controller
#   XPF-HP-ANCHOR-UP      the NVMe is bound; dom0 cycles the e1000 as r1..rN
#   XPF-HP-CHECKED        the checks with the NVMe attached are done; dom0 detaches it
#   XPF-HP-ANCHOR-DOWN    the NVMe is gone too
# At the end the frontend's own object counts and the slab counts must be back where they were.
HP_CYCLES=${xpf_cycles:-3}
HP_FULL=3 # cycles with ping and traffic during the detach (plus the last one)
HP_RECONF=${xpf_reconf_cycles:-3} # e1000 cycles with the NVMe attached
OBJECTS=/sys/kernel/debug/xen-pcifront-cxx/objects
HP_COUNTERS=/sys/kernel/debug/xen-pcifront-cxx/hotplug/counters

objects() { [ -r $OBJECTS ] && cat $OBJECTS || echo "n/a (no $OBJECTS)"; }
# Active objects of every slab cache, after flushing the per-CPU slabs so that the count does
# not depend on which CPU freed what.
# vmap_area is left out: vmalloc areas (e1000's ioremap of its BAR, each attach) are freed
# lazily, and their slab objects stay allocated until enough of them pile up to be purged.
# What is really mapped is counted from /proc/vmallocinfo instead (vmalloc_areas).
slab_total() {
	for s in /sys/kernel/slab/*/shrink; do echo 1 >"$s" 2>/dev/null; done
	awk 'NR > 2 && $1 != "vmap_area" { s += $2 } END { print s }' /proc/slabinfo
}
# /proc/vmallocinfo also lists the lazily freed areas ("unpurged vm_area"): not counted.
vmalloc_areas() { grep -vc 'unpurged' /proc/vmallocinfo; }
vmalloc_callers() { grep -v 'unpurged' /proc/vmallocinfo | awk '{ print $3 }' | sed 's/+.*//' | sort | uniq -c; }
vmalloc_top() { # the callers whose live areas grew most between two vmalloc_callers copies
	awk 'NR == FNR { a[$2] = $1; next } { d = $1 - a[$2]; if (d) print d, $2 }' "$1" "$2" |
		sort -rn | head -n 3 | tr '\n' ' '
}
slab_top() { # the caches that grew most between two /proc/slabinfo copies
	awk 'NR == FNR { if (FNR > 2) a[$1] = $2; next } FNR > 2 { d = $2 - a[$1]; if (d) print d, $1 }' "$1" "$2" |
		sort -rn | head -n 5 | tr '\n' ' '
}
nic_gone() { ! nic_bdf >/dev/null; }
traffic_start() {
	ping -6 -i 0.2 "$xpf_peer%$IF" >/tmp/traffic.log 2>&1 &
	TRAFFIC=$!
	wait_for 20 "replies while attached" sh -c "grep -q 'bytes from' /tmp/traffic.log"
}
traffic_stop() {
	kill $TRAFFIC 2>/dev/null
	wait $TRAFFIC 2>/dev/null
	echo "$(grep -c 'bytes from' /tmp/traffic.log) replies before the detach"
}

step frontend-loaded load_frontend || finish
modprobe e1000 || ktap_result fail e1000-module "modprobe e1000 failed"
OBJ0=$(objects)
echo "XPF-SHOW objects at start: $OBJ0"
echo "XPF-HP-READY"
hp_fail=0
hp_cycle() { # id full [close]: one attach/detach seen from this side; with traffic when full=1;
	# with "close", the detach also ends the connection (the device was the only one)
	i=$1 full=$2 close=${3:-}
	wait_for 90 "the e1000 on the PV PCI bus" nic_bdf >/dev/null || { echo "cycle $i: the e1000 never appeared"; return 1; }
	BDF=$(nic_bdf)
	# Phase 2's first address is kept for the new-root-bus check. Not one file per cycle: a
	# file in the domain's tmpfs is a dentry and an inode, which the slab check would count.
	case $i in r1) echo "$BDF" >/tmp/hp-bdf-$i ;; esac
	wait_for 30 "netdev on $BDF" nic_netdev >/dev/null || { echo "cycle $i: $BDF appeared but e1000 did not bind"; return 1; }
	IF=$(nic_netdev)
	if [ $full = 1 ]; then
		link_up >/dev/null || { echo "cycle $i: no link on $IF"; return 1; }
		ping_dom0 >/dev/null || { echo "cycle $i: no ping to dom0 over $IF"; return 1; }
		traffic_start >/dev/null || { echo "cycle $i: traffic did not start"; return 1; }
	fi
	echo "XPF-HP-UP $i" >/dev/console
	wait_for 90 "the e1000 removed" nic_gone >/dev/null || { echo "cycle $i: $BDF still there after detach"; return 1; }
	if [ -e /sys/class/net/$IF ]; then
		# The netdev goes in the driver's remove, before its PCI device: say what was seen.
		_w=$(wait_for 20 "$IF gone" sh -c "[ ! -e /sys/class/net/$IF ]")
		echo "cycle $i: $BDF was gone but $IF was still present ($_w; now: $(ls /sys/class/net | tr '\n' ' ')$(readlink /sys/class/net/$IF 2>/dev/null)); dmesg: $(dmesg | tail -n 4 | tr '\n' ' ')"
		return 1
	fi
	if [ -n "$close" ]; then
		wait_for 30 "the xenbus device gone" xenbus_gone >/dev/null ||
			{ echo "cycle $i: the device went but the xenbus pci-0 stayed (state $(cat /sys/bus/xen/devices/pci-0/state 2>/dev/null))"; return 1; }
	fi
	detail="$BDF bound to e1000 ($IF), removed"
	[ $full = 1 ] && detail="$detail; pinged dom0; $(traffic_stop) while attached"
	echo "XPF-HP-DOWN $i" >/dev/console
	echo "$detail"
}
i=1
while [ $i -le "$HP_CYCLES" ]; do
	if [ $i -le $HP_FULL ] || [ $i -eq "$HP_CYCLES" ]; then
		XPF_NO_RERUN=1 check hotplug-cycle-$i hp_cycle $i 1 close || { hp_fail=$i; break; }
	else
		# As step() does for a step: a cycle that failed while a user-space program crashed
		# (the TCG flake) is looked at once more; dom0 is still waiting on the same cycle.
		c0=$(user_crashes)
		if ! out=$(hp_cycle $i 0 close 2>&1); then
			if [ "$(user_crashes)" != "$c0" ]; then
				echo "XPF-FLAKE hotplug-cycle-$i: a user-space program crashed during this cycle; looking again"
				out=$(hp_cycle $i 0 close 2>&1) && out=
			fi
			if [ -n "$out" ]; then
				check hotplug-cycle-$i sh -c "echo '$out'; false"
				hp_fail=$i
				break
			fi
		fi
	fi
	# The first full cycle leaves one-time allocations (sysfs, the driver's first bind): the
	# slab baseline is taken after it.
	if [ $i -eq 1 ]; then
		SLAB0=$(slab_total)
		VMA0=$(vmalloc_areas)
		vmalloc_callers >/tmp/vma0
		cp /proc/slabinfo /tmp/slab0
	fi
	i=$((i + 1))
done
check hotplug-cycles sh -c "[ $hp_fail = 0 ] && echo '$HP_CYCLES of $HP_CYCLES attach/detach cycles of the e1000' || { echo 'cycle $hp_fail of $HP_CYCLES failed'; false; }"
lspci 2>/dev/null | sed 's/^/XPF-SHOW lspci after the cycles: /'
[ -r $HP_COUNTERS ] && echo "XPF-SHOW hotplug counters: $(cat $HP_COUNTERS)"
echo "XPF-SHOW objects at end: $(objects)"
objects_back() {
	# The device goes in the Reconfiguring round; the connection itself a moment later, when
	# libxl removes the backend after the last detach.
	wait_for 30 "objects as at start" sh -c "[ \"\$(cat $OBJECTS)\" = '$OBJ0' ]" >/dev/null ||
		{ echo "objects were '$OBJ0', now '$(objects)'"; return 1; }
	echo "$(objects) (as at start)"
}
slab_back() {
	[ -n "${SLAB0:-}" ] || { echo "no slab baseline: cycle 1 did not pass"; return 1; }
	s=$(slab_total)
	v=$(vmalloc_areas)
	vmalloc_callers >/tmp/vma1
	cp /proc/slabinfo /tmp/slab1
	d=$((s - SLAB0)) dv=$((v - VMA0))
	n=$((HP_CYCLES - 1))
	echo "slab active objects (vmap_area aside) $SLAB0 after cycle 1, $s after cycle $HP_CYCLES: $d over $n cycles; live vmalloc areas $VMA0 -> $v ($(vmalloc_top /tmp/vma0 /tmp/vma1)); grew most: $(slab_top /tmp/slab0 /tmp/slab1)"
	# One object leaked per cycle would add $n; noise is a few dozen either way.
	[ "$n" -lt 20 ] || { [ "$d" -lt $((n / 2)) ] && [ "$dv" -lt $((n / 2)) ]; }
}
if [ "$xpf_frontend" = ours ]; then
	step objects-back-at-start objects_back
	step hotplug-counters sh -c "cat $HP_COUNTERS; grep -q 'detached $HP_CYCLES ' $HP_COUNTERS && grep -q ' missing 0 refused 0 list_errors 0 rescan_errors 0' $HP_COUNTERS"
fi
check slab-back slab_back

# ---- Phase 2: the e1000 comes and goes while an NVMe controller stays attached.
nvme_bound() {
	N=$(for d in /sys/bus/pci/devices/*; do [ "$(cat $d/vendor)" = 0x1b36 ] && [ "$(cat $d/device)" = 0x0010 ] && echo ${d##*/}; done | head -n 1)
	[ -n "$N" ] && [ -e /sys/bus/pci/devices/$N/driver ] && ls /sys/block | grep -q nvme
}
nvme_gone() { ! nvme_bound; }
nvme_reads() { # the disk still answers: 64 KiB read at an offset that changes each call
	_disk=$(ls /sys/block | grep -m1 nvme) || { echo "no NVMe disk"; return 1; }
	_o=$(dd if=/dev/$_disk of=/dev/null bs=4k count=16 skip=$((${1:-0} * 16)) 2>&1)
	_rc=$?
	echo "$_o" | tail -n 1
	[ $_rc = 0 ] && case "$_o" in *"16+0 records out"*) ;; *) false ;; esac
}
anchor_up() {
	modprobe nvme || return 1
	wait_for 120 "NVMe controller bound" nvme_bound || return 1
	nvme_reads 0 || return 1
	echo "XPF-HP-ANCHOR-UP" >/dev/console
	echo "NVMe $(for d in /sys/bus/pci/devices/*; do [ "$(cat $d/vendor)" = 0x1b36 ] && echo ${d##*/}; done) bound, disk readable"
}
echo "XPF-HP-READY2"
pci_buses() { ls /sys/class/pci_bus | tr '\n' ' '; }
if check hotplug-anchor-attached anchor_up; then
	BUSES_ANCHOR=$(pci_buses)
	j=1 r_fail=0
	while [ $j -le "$HP_RECONF" ]; do
		XPF_NO_RERUN=1 check hotplug-reconf-cycle-$j hp_cycle r$j $([ $j = 1 ] && echo 1 || echo 0) || { r_fail=$j; break; }
		j=$((j + 1))
	done
	anchor_still_works() {
		nvme_bound || { echo "the NVMe controller lost its driver"; return 1; }
		r=$(nvme_reads 7) || return 1
		echo "NVMe still bound after $HP_RECONF e1000 cycles around it; read: $r"
	}
	check hotplug-anchor-untouched anchor_still_works
	if [ "${xpf_pciback:-vpci}" = passthrough ]; then
		# pciback in passthrough mode exports the NVMe on its bus 1 and the e1000 on bus 0: the
		# first e1000 attach next to the NVMe published a root bus the frontend did not have.
		new_root_bus() {
			[ -r /tmp/hp-bdf-r1 ] || { echo "cycle r1 recorded no e1000 address"; return 1; }
			_b=$(cat /tmp/hp-bdf-r1)
			case " $BUSES_ANCHOR " in *" ${_b%:*} "*)
				echo "the e1000 ($_b) came on bus ${_b%:*}, which was there before (buses: $BUSES_ANCHOR)"
				return 1 ;;
			esac
			# A root bus's device in sysfs is its host bridge, pci<domain>:<bus>.
			_h=$(readlink -f /sys/class/pci_bus/${_b%:*}/device)
			[ "${_h##*/}" = "pci${_b%:*}" ] || { echo "bus ${_b%:*} is not a root bus (its device: $_h)"; return 1; }
			echo "the e1000 came as $_b on root bus ${_b%:*}, added by the Reconfigured round (before it: $BUSES_ANCHOR; now: $(pci_buses))"
		}
		check hotplug-new-root-bus new_root_bus
	fi
	[ "$xpf_frontend" = ours ] &&
		step hotplug-reconf-counters sh -c "wait_ok() { grep -q ' attached $HP_RECONF ' $HP_COUNTERS && grep -q 'detached $((HP_CYCLES + HP_RECONF)) ' $HP_COUNTERS; }; i=0; until wait_ok || [ \$i -ge 20 ]; do sleep 0.5; i=\$((i + 1)); done; cat $HP_COUNTERS; wait_ok"
	# dom0 detaches the NVMe only after this: the checks above must see it still attached.
	echo "XPF-HP-CHECKED" >/dev/console
	anchor_gone() {
		wait_for 120 "NVMe controller removed" nvme_gone || return 1
		echo "XPF-HP-ANCHOR-DOWN" >/dev/console
		echo "NVMe removed with the last detach"
	}
	check hotplug-anchor-detached anchor_gone
	[ "$xpf_frontend" = ours ] && step objects-back-after-reconf objects_back
fi
warns() {
	n=$(dmesg | grep -c 'WARNING:')
	echo "$n WARNING(s) in dmesg $(dmesg | grep -m1 -A1 'WARNING:' | tail -n 1 | sed 's/^\[[ 0-9.]*\] //' | cut -c1-100)"
	[ "$n" = 0 ]
}
check no-warnings warns
check dmesg-clean dmesg_clean
