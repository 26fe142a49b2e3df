#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the module set for one kernel in build/kbuild/<kver>/ with W=1 and sparse on every C
# file (C=2), and fails on any warning from the compiler, sparse, objtool or modpost, on a C file
# sparse did not check, or on forbidden C++ runtime symbols and sections.
#   Usage: kbuild.sh KVER [KDIR]
# KVER's headers are looked for on this machine, then in the suite chroots of scripts/suite.sh
# (Debian 13's and sid's kernels: their kbuild tools need their own C library), where the build
# runs with that suite's compiler. build/kbuild/<kver> is then a link into the chroot. The debug
# kernel's release (scripts/debug-kernel.sh) is built against its own tree.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kver=${1:?usage: kbuild.sh KVER [KDIR]}
root=
if [ -n "${2:-}" ]; then
	kdir=$2
elif [ -f "/usr/src/linux-headers-$kver/Makefile" ]; then
	kdir=/usr/src/linux-headers-$kver
elif root=$("$top/scripts/suite.sh" of "$kver"); then
	kdir=/usr/src/linux-headers-$kver
elif dbg=$("$top/scripts/debug-kernel.sh" of "$kver"); then
	kdir=$dbg/tree # the debug kernel's own built tree (scripts/debug-kernel.sh)
	root=
else
	echo "no kernel headers for $kver here or in a suite chroot: install linux-headers-$kver" \
		"(make deps, as root), or for Debian 13/sid: make modules SUITE=trixie|sid" >&2
	exit 1
fi
[ -f "$root$kdir/Makefile" ] || {
	echo "no kernel headers at $root$kdir: install linux-headers-$kver (make deps, as root)" >&2
	exit 1
}
[ -f "$root/usr/include/xen/io/pciif.h" ] || {
	echo "no Xen public headers ($root/usr/include/xen/io/pciif.h): apt-get install libxen-dev" >&2
	exit 1
}
# In a chroot: sources and objects live inside it (as /xpf/kbuild/<kver>), linked from build/.
if [ -n "$root" ]; then
	in=/xpf/kbuild/$kver
	out=$root$in
	mkdir -p "$top/build/kbuild"
	[ -L "$top/build/kbuild/$kver" ] || rm -rf "$top/build/kbuild/$kver"
	ln -sfn "$out" "$top/build/kbuild/$kver"
	# objtool reads /proc: suite.sh run gives the chroot one of its own.
	run() { "$top/scripts/suite.sh" run "$root" "$@"; }
else
	out=$top/build/kbuild/$kver
	in=$out
	run() { "$@"; }
fi
mkdir -p "$out/build/xen-public"
# Copy the sources (only changed files, so kbuild's own change tracking still works).
(cd "$top" && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod*' \
	Kbuild scripts include shim lib evtchn x86-msi-ops xenbus-hotplug pcifront) |
	tar -xf - -C "$out" --keep-newer-files --warning=no-ignore-newer
ln -sfn /usr/include/xen "$out/build/xen-public/xen"

# Kernel 7.0 and later ask scripts/checker-valid.sh whether sparse works; Debian's headers do not
# ship it, and without it C=2 quietly checks nothing. Ours answers the same question.
src=$(sed -n 's/^include \(\/.*\)\/Makefile$/\1/p' "$root$kdir/Makefile" | head -n 1)
src=$root${src:-$kdir}
if [ ! -e "$src/scripts/checker-valid.sh" ] && grep -qs 'checker-valid.sh' "$src/Makefile"; then
	install -m 0755 "$top/scripts/checker-valid.sh" "$src/scripts/checker-valid.sh"
fi

log=$out/build.log
echo "kbuild: $kver (W=1 C=2${root:+, in the ${root##*/} chroot}) in build/kbuild/$kver"
# Every object is compiled again: the warning gate reads this build's log, and an object left
# from an earlier build (one that warned and failed the gate) would print nothing.
run make -C "$kdir" M="$in" clean >/dev/null 2>&1 || true
if ! run make -C "$kdir" M="$in" W=1 C=2 modules >"$log" 2>&1; then
	grep -E 'error|warning|Error|\*\*\*' "$log" | head -n 40 >&2
	echo "kbuild: build for $kver failed (full log: $log)" >&2
	exit 1
fi
# BTF is skipped on 6.1 (its headers ship no vmlinux): an informational line, not a warning.
warn=$(grep -iE 'warning|error|sparse is not available' "$log" |
	grep -v 'Skipping BTF generation' || true)
if [ -n "$warn" ]; then
	echo "$warn" >&2
	echo "kbuild: $kver built with warnings (full log: $log); the gate allows none" >&2
	exit 1
fi
# Sparse must have checked every C object of ours (each .o.cmd names its source; 6.12's
# .module-common.o is the kernel's).
c_objs=$(find "$out" -name '.*.o.cmd' ! -name '.*.mod.o.cmd' ! -name '*.module-common.o.cmd' |
	xargs grep -lsE '^source_[^ ]* := .*\.c$' | wc -l)
checked=$(grep -cE '^  CHECK ' "$log" || true)
if [ "$c_objs" -eq 0 ] || [ "$checked" -ne "$c_objs" ]; then
	echo "kbuild: sparse checked $checked of $c_objs C objects for $kver (full log: $log)" >&2
	exit 1
fi
# And the compiler saw every C++ object in this build (so its warnings are in this log).
cxx_objs=$(find "$out" -name '.*.o.cmd' | xargs grep -lsE '^source_[^ ]* := .*\.cpp$' | wc -l)
compiled=$(grep -cE '^  CXX ' "$log" || true)
if [ "$cxx_objs" -eq 0 ] || [ "$compiled" -ne "$cxx_objs" ]; then
	echo "kbuild: $compiled of $cxx_objs C++ objects were compiled in this build for $kver (full log: $log)" >&2
	exit 1
fi
mapfile -t objs < <(cd "$out" && find . \( -name '*.ko' -o -name '*.o' \) ! -name '*.mod.o' |
	sed "s|^\.|$in|")
run bash "$in/scripts/check-ko.sh" "${objs[@]}"
echo "kbuild: $kver OK: sparse on $checked C objects; $(cd "$out" && ls *.ko | tr '\n' ' ')"
