#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the module set for one kernel in build/kbuild/<kver>/ with W=1 and sparse (C=1), and
# fails on any warning from the compiler, sparse, objtool or modpost, or on forbidden C++ runtime
# symbols and sections.   Usage: kbuild.sh KVER [KDIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kver=${1:?usage: kbuild.sh KVER [KDIR]}
kdir=${2:-/usr/src/linux-headers-$kver}
[ -f "$kdir/Makefile" ] || {
	echo "no kernel headers at $kdir: install linux-headers-$kver (make deps, as root)" >&2
	exit 1
}
[ -f /usr/include/xen/io/pciif.h ] || {
	echo "no Xen public headers (/usr/include/xen/io/pciif.h): apt-get install libxen-dev" >&2
	exit 1
}
out=$top/build/kbuild/$kver
mkdir -p "$out/build/xen-public"
# Copy the sources (only changed files, so kbuild's own change tracking still works).
(cd "$top" && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod*' \
	Kbuild scripts include shim lib evtchn x86-msi-ops xenbus-hotplug pcifront) |
	tar -xf - -C "$out" --keep-newer-files --warning=no-ignore-newer
ln -sfn /usr/include/xen "$out/build/xen-public/xen"

log=$out/build.log
echo "kbuild: $kver (W=1 C=1) in ${out#$top/}"
if ! make -C "$kdir" M="$out" W=1 C=1 modules >"$log" 2>&1; then
	grep -E 'error|warning|Error' "$log" | head -n 40 >&2
	echo "kbuild: build for $kver failed (full log: $log)" >&2
	exit 1
fi
# BTF is skipped on 6.1 (its headers ship no vmlinux): an informational line, not a warning.
warn=$(grep -iE 'warning|error' "$log" | grep -v 'Skipping BTF generation' || true)
if [ -n "$warn" ]; then
	echo "$warn" >&2
	echo "kbuild: $kver built with warnings (full log: $log); the gate allows none" >&2
	exit 1
fi
mapfile -t objs < <(find "$out" -name '*.o' ! -name '*.mod.o')
"$top/scripts/check-ko.sh" "$out"/*.ko "${objs[@]}"
echo "kbuild: $kver OK: $(cd "$out" && ls *.ko | tr '\n' ' ')"
