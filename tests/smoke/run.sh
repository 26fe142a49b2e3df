#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loads and unloads the built module set in a plain QEMU boot of Debian's kernel of the same
# ABI: insmod, a log line from C++ code, rmmod, a second round, and a clean dmesg.
# Usage: tests/smoke/run.sh KVER
source "$(dirname "$0")/../lib/common.sh"
kver=${1:?usage: run.sh KVER}
kos=$BUILD/kbuild/$kver
[ -f "$kos/xen-pcifront-cxx.ko" ] || die "no modules for $kver in $kos: run 'make check-kbuild'"
qemu=$(qemu_bin)
[ -x /bin/busybox ] || die "busybox missing: apt-get install busybox-static (make deps)"

img=$(deb_unpack "linux-image-$kver-unsigned")
vmlinuz=$img/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "no $vmlinuz in linux-image-$kver-unsigned"

out=$BUILD/smoke/$kver
rm -rf "$out/root"
mkdir -p "$out/root/bin" "$out/root/lib/modules/xpf"
cp /bin/busybox "$out/root/bin/busybox"
cp "$TOP/tests/smoke/init" "$out/root/init"
chmod +x "$out/root/init"
cp "$kos"/*.ko "$out/root/lib/modules/xpf/"
(cd "$out/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.gz"

log=$out/serial.log
say "smoke: booting Debian $kver under QEMU (TCG) with the module set"
set +e
timeout --foreground 240 "$qemu" -accel tcg -cpu max -m 512 -smp 1 -nographic -no-reboot \
	-nic none -kernel "$vmlinuz" -initrd "$out/initrd.gz" \
	-append "console=ttyS0 rdinit=/init panic=-1 loglevel=6" >"$log" 2>&1 </dev/null
rc=$?
set -e
[ $rc -eq 124 ] && echo "smoke: QEMU did not finish within 240 s (hung guest?); log: $log" >&2
grep -q SMOKE-DONE "$log" || { tail -n 30 "$log" >&2; die "the guest never finished its steps; serial log: $log"; }
grep -E '^SMOKE-STEP' "$log" | tr -d '\r' | sed 's/^SMOKE-STEP /  /'
pass=$(grep -c '^SMOKE-STEP PASS' "$log" || true)
fail=$(grep -c '^SMOKE-STEP FAIL' "$log" || true)
sed -n '/SMOKE-DMESG-BEGIN/,/SMOKE-DMESG-END/p' "$log" | grep -v SMOKE- | tr -d '\r' | sed 's/^/  dmesg| /'
echo "smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge 10 ] || die "smoke test failed; serial log: $log"
