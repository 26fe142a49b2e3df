# SPDX-License-Identifier: GPL-2.0
# What the msi, smp, aer and bench scenarios share inside the driver domain (sourced): finding
# the devices, their interrupt state, and the NVMe, e1000e and virtio-net helpers.
find_dev() { # vendor device: the first such function's BDF (functions may come and go meanwhile)
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat $_d/vendor 2>/dev/null)" = "$1" ] && [ "$(cat $_d/device 2>/dev/null)" = "$2" ] && { echo ${_d##*/}; return 0; }
	done
	return 1
}
cap_state() { # bdf: "MSI-X: Enable+ Count=.. / MSI: Enable-" as lspci shows them
	lspci -vvv -s "${1#0000:}" 2>/dev/null | sed -n 's/.*\(MSI-X: Enable[+-]\).*/\1/p; s/.*\(MSI: Enable[+-]\).*/\1/p' | tr '\n' ' '
}
msix_on() { _s=$(cap_state "$1"); echo "$_s"; case "$_s" in *"MSI-X: Enable+"*) return 0 ;; esac; return 1; }
msi_on() { _s=$(cap_state "$1"); echo "$_s"; case "$_s" in *"MSI: Enable+"*) return 0 ;; esac; return 1; }
none_on() { _s=$(cap_state "$1"); echo "$_s"; case "$_s" in *Enable+*) return 1 ;; esac; return 0; }
# Sum of every CPU's count on each /proc/interrupts line matching $1: "name:count ..."
irq_counts() {
	grep -E "$1" /proc/interrupts | awk '{s=0; for (i=2; i<=NF; i++) { if ($i !~ /^[0-9]+$/) break; s+=$i }; printf "%s:%d ", $NF, s}'
}
irq_lines() { grep -cE "$1" /proc/interrupts; }

# ---- NVMe
NVME=$(find_dev 0x1b36 0x0010)
nvme_load() {
	[ -n "$NVME" ] || { echo "no NVMe controller on the PV PCI bus"; return 1; }
	modprobe nvme || return 1
	wait_for 60 "/dev/nvme0n1" test -b /dev/nvme0n1 || { dmesg | grep -iE 'nvme|pcifront' | tail -n 3; return 1; }
	echo "$NVME: nvme0n1 ready"
}
nvme_unload() { rmmod nvme || return 1; [ ! -e /dev/nvme0n1 ] && echo "nvme unloaded"; }
disk_data() { # disk round: 1 MiB of random data written at a round-specific offset and read back
	_at=$(($2 * 64))
	dd if=/dev/urandom of=/tmp/pat bs=64k count=16 iflag=fullblock 2>/dev/null || return 1
	dd if=/tmp/pat of=$1 bs=64k seek=$_at oflag=direct 2>/dev/null || { echo "write failed"; return 1; }
	_a=$(md5sum </tmp/pat | cut -d' ' -f1)
	_b=$(dd if=$1 bs=64k skip=$_at count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	[ "$_a" = "$_b" ] || { echo "checksum mismatch at block $_at: wrote $_a, read $_b"; return 1; }
	echo "1 MiB at 64k-block $_at read back, md5 $_a"
}
nvme_data() { disk_data /dev/nvme0n1 "$1"; }
nvme_io_queues() { # I/O queue vectors, each must fire after I/O pinned to each CPU
	for _c in 0 1; do taskset -c $_c dd if=/dev/nvme0n1 of=/dev/null bs=4k count=64 iflag=direct skip=$((_c * 4096)) 2>/dev/null; done
	_l=$(irq_lines 'nvme0q[1-9]')
	_fired=$(irq_counts 'nvme0q[1-9]' | tr ' ' '\n' | grep -c ':[1-9][0-9]*$')
	echo "$_l I/O queue irq lines, $_fired firing: $(irq_counts 'nvme0q')"
	[ "$_l" -ge 2 ] && [ "$_fired" -ge 2 ]
}

# ---- e1000e
E1000E=$(find_dev 0x8086 0x10d3)
e1000e_if() { for _n in /sys/bus/pci/devices/$E1000E/net/*; do [ -e "$_n" ] && { echo ${_n##*/}; return 0; }; done; return 1; }
e1000e_load() { # [module options]
	[ -n "$E1000E" ] || { echo "no e1000e on the PV PCI bus"; return 1; }
	modprobe e1000e "$@" || return 1
	wait_for 30 "netdev on $E1000E" e1000e_if || return 1
	_if=$(e1000e_if)
	ip link set "$_if" up || return 1
	wait_for 30 "carrier on $_if" grep -q 1 /sys/class/net/$_if/carrier || return 1
	echo "$E1000E: $_if up $*"
}
e1000e_irqs() { _if=$(e1000e_if) || return 1; echo "$(irq_lines "$_if") lines: $(irq_counts "$_if")"; irq_counts "$_if" | grep -q ':[1-9]'; }
e1000e_unload() { rmmod e1000e && echo "e1000e unloaded"; }
# Hotplug of the e1000e (whichever slot it gets): gone, or here with its driver's netdev.
e1000e_gone() { ! find_dev 0x8086 0x10d3 >/dev/null; }
e1000e_usable() { _b=$(find_dev 0x8086 0x10d3) && ls /sys/bus/pci/devices/$_b/net/* >/dev/null 2>&1; }

# ---- virtio-net (1af4:1000 transitional, 1af4:1041 modern), behind a PCIe root port in dom0
virtio_bdf() { find_dev 0x1af4 0x1041 || find_dev 0x1af4 0x1000; }
# Its netdev hangs off the virtio device below the PCI function.
virtio_netdev() { for _n in /sys/bus/pci/devices/$1/net/* /sys/bus/pci/devices/$1/virtio*/net/*; do [ -e "$_n" ] && { echo ${_n##*/}; return 0; }; done; return 1; }
virtio_up() { # bdf: the driver loaded, its netdev up with a link-local address
	modprobe virtio_pci && modprobe virtio_net || return 1
	wait_for 30 "netdev on $1" virtio_netdev "$1" >/dev/null || return 1
	_if=$(virtio_netdev "$1")
	no_dad "$_if"
	ip link set "$_if" up || return 1
	wait_for 30 "carrier on $_if" grep -q 1 /sys/class/net/$_if/carrier >/dev/null || return 1
	wait_for 30 "link-local address on $_if" has_ll_addr "$_if" >/dev/null || return 1
	echo "$1: $_if up"
}


# SMP (issue 18.2): the op channel's irq moved to each vCPU in turn while every vCPU reads
# config space. A reply acknowledged by another vCPU's handler (which clears the pending bit a
# poll wakes on) must not cost the wait its deadline: no op may time out, and the traffic must
# get through (op_health, below, says what it judges).
FE_STATS=/sys/kernel/debug/xen-pcifront-cxx/frontend-0/stats
# The irq of our frontend's op channel (its /proc/interrupts line); says so when there is none.
# The op channel's irq: ours is named xen-pcifront-cxx, the in-tree frontend's pcifront.
op_irq() {
	_on=xen-pcifront-cxx
	[ "$xpf_frontend" != intree ] || _on=pcifront
	_oi=$(awk -v n=$_on '$NF == n { sub(":", "", $1); print $1; exit }' /proc/interrupts)
	[ -n "$_oi" ] || { echo "no $_on irq in /proc/interrupts"; return 1; }
	echo "$_oi"
}
op_irq_moves() {
	_irq=$(op_irq) || { echo "$_irq"; return 1; }
	_ops0=$(sed -n 's/^ops \([0-9]*\) .*/\1/p' $FE_STATS)
	_n=$(nproc)
	_c=0
	while [ $_c -lt "$_n" ]; do
		printf '%x' $((1 << _c)) >/proc/irq/$_irq/smp_affinity || { echo "cannot move irq $_irq to vCPU $_c"; return 1; }
		_r=0
		while [ $_r -lt "$_n" ]; do
			taskset -c $_r sh -c 'i=0; while [ $i -lt 30 ]; do cat /sys/bus/pci/devices/*/config >/dev/null; i=$((i + 1)); done' &
			_r=$((_r + 1))
		done
		wait
		_c=$((_c + 1))
	done
	_ops1=$(sed -n 's/^ops \([0-9]*\) .*/\1/p' $FE_STATS)
	_what="irq $_irq moved over $_n vCPU(s); $((_ops1 - _ops0)) ops; $(op_health)"
	[ $((_ops1 - _ops0)) -gt 100 ] || { echo "$_what: too little traffic"; return 1; }
	op_health >/dev/null || { echo "$_what"; return 1; }
	echo "$_what"
}
# Our frontend's op record so far: fails when an op timed out (op_timeout_ms), an op was refused
# while the channel was wedged, or a late reply was dropped: what a lost event or a lost reply
# leaves behind (a lost event alone costs at most one poll slice, 1 ms). Ops of a second or more
# (the buckets above 1048576 us, and the open one) are shown, not judged: a slow emulated host
# (the debug kernel, a loaded CI machine) makes them with no fault of ours, and speed is the
# benchmark's to measure, not a test's.
op_health() {
	_lat=$(grep '^latency_us' $FE_STATS)
	_slow=$(echo "$_lat" | tr ' ' '\n' | awk -F: '/^</ { u = substr($1, 2) + 0; if (u > 1048576) s += $2 } /^more:/ { s += $2 } END { print s + 0 }')
	_l2=$(sed -n 2p $FE_STATS)
	echo "ops of 1 s or more: $_slow; $_l2"
	echo "$_l2" | awk '{ for (i = 1; i < NF; i++) if ($i ~ /^(timeouts|refused_wedged|late_replies)$/) { n++; if ($(i + 1) != 0) bad = 1 } } END { exit !(n == 3 && !bad) }'
}
