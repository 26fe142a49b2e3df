# SPDX-License-Identifier: GPL-2.0
# The smp scenario's load on one vCPU, run pinned by domu-smp.sh until /tmp/smp-stop exists.
#   io N:  256 KiB NVMe write/read-back rounds in vCPU N's quarter of the disk
#   cfg N: sweeps over every device's config space
# An image file, not written at run time: a shell that writes it can be hit by the TCG flake.
n=0
if [ "$1" = io ]; then
	bad=0
	while [ ! -e /tmp/smp-stop ]; do
		at=$(($2 * 256 + (n * 4) % 252))
		dd if=/dev/urandom of=/tmp/smp-pat.$2 bs=64k count=4 iflag=fullblock 2>/dev/null
		dd if=/tmp/smp-pat.$2 of=/dev/nvme0n1 bs=64k seek=$at oflag=direct 2>/dev/null || bad=$((bad + 1))
		a=$(md5sum </tmp/smp-pat.$2)
		b=$(dd if=/dev/nvme0n1 bs=64k skip=$at count=4 iflag=direct 2>/dev/null | md5sum)
		[ "$a" = "$b" ] || bad=$((bad + 1))
		n=$((n + 1))
	done
	echo "$n $bad" >/tmp/smp-io.$2
else
	while [ ! -e /tmp/smp-stop ]; do
		cat /sys/bus/pci/devices/*/config >/dev/null
		n=$((n + 1))
	done
	echo $n >/tmp/smp-cfg.$2
fi
