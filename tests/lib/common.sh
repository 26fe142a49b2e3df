#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the QEMU-based tests: Debian packages by name, cached by version, and
# bounded waits. Source it; it sets TOP and BUILD.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${XPF_BUILD:-$TOP/build}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }

# The version apt would install (this machine's apt, or a newer suite's in its chroot:
# scripts/suite.sh), or die naming the fix.
deb_version() { # package [suite]
	local v
	if [ -n "${2:-}" ]; then
		v=$(chroot "$("$TOP/scripts/suite.sh" root "$2")" apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	else
		v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	fi
	[ -n "$v" ] && [ "$v" != "(none)" ] ||
		die "apt${2:+ of the ${2} chroot} knows no package '$1': run 'apt-get update' (as root) and check bookworm-security is a source"
	echo "$v"
}

# Downloads and unpacks a package (no install, no scripts); prints the directory. Cached by
# suite, name and version, so a new archive version is fetched and an old one reused. Without
# a suite, from this machine's apt (Debian 12); with one, by that suite's chroot.
deb_unpack() { # package [suite]
	local name=$1 suite=${2:-} ver dir deb dl root=
	ver=$(deb_version "$name" "$suite")
	dir=$BUILD/debs/${suite:+$suite/}${name}_$(echo "$ver" | tr ':+~' '___')
	if [ ! -f "$dir/.unpacked" ]; then
		mkdir -p "$BUILD/debs/dl" "$dir"
		chmod 777 "$BUILD/debs/dl"
		if [ -n "$suite" ]; then
			root=$("$TOP/scripts/suite.sh" root "$suite")
			dl=$root/xpf/dl
			rm -rf "$dl"
			mkdir -p "$dl"
			chroot "$root" sh -c "cd /xpf/dl && apt-get download -q '$name=$ver'" >/dev/null 2>"$BUILD/debs/dl/$name.err" ||
				die "apt-get download $name=$ver in the $suite chroot failed: $(tail -n 2 "$BUILD/debs/dl/$name.err")"
		else
			dl=$BUILD/debs/dl
			(cd "$dl" && apt-get download -q "$name=$ver" >/dev/null 2>"$BUILD/debs/dl/$name.err") ||
				die "apt-get download $name=$ver failed: $(tail -n 2 "$BUILD/debs/dl/$name.err")"
		fi
		deb=$( (ls "$dl/${name}_"*.deb 2>/dev/null || true) | head -n 1)
		[ -n "$deb" ] || die "apt-get download $name=$ver left no package in $dl"
		dpkg-deb -x "$deb" "$dir"
		rm -f "$deb"
		[ -z "$suite" ] || rm -rf "$dl"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

# A kernel's image and modules, unpacked; prints a directory with boot/vmlinuz-KVER and
# lib/modules/KVER. Debian 12's kernels come from this machine's apt; a newer suite's (its
# headers in a scripts/suite.sh chroot) are downloaded by that chroot's apt. Both of its layouts
# are handled: linux-image-*-unsigned (trixie), and sid's linux-binary-unsigned-* with
# linux-modules-* and linux-base-* (the image, the modules and their lists all in
# /usr/lib/modules/KVER/).
kernel_unpack() {
	local k=$1 root dir pkgs d
	# The debug kernel is installed under its cache entry by scripts/debug-kernel.sh.
	if d=$("$TOP/scripts/debug-kernel.sh" of "$k"); then
		echo "$d/root"
		return
	fi
	if ! root=$("$TOP/scripts/suite.sh" of "$k"); then
		deb_unpack "linux-image-$k-unsigned"
		return
	fi
	dir=$BUILD/debs/kernel-$k
	if [ ! -f "$dir/.unpacked" ]; then
		rm -rf "$dir" "$root/xpf/debs"
		mkdir -p "$dir" "$root/xpf/debs"
		if chroot "$root" apt-cache show "linux-binary-unsigned-$k" >/dev/null 2>&1; then
			pkgs="linux-binary-unsigned-$k linux-modules-$k linux-base-$k"
		else
			pkgs="linux-image-$k-unsigned"
		fi
		chroot "$root" sh -c "cd /xpf/debs && apt-get download -q $pkgs" >"$dir.log" 2>&1 ||
			die "downloading $pkgs in ${root##*/} failed: $(tail -n 2 "$dir.log")"
		for d in "$root"/xpf/debs/*.deb; do dpkg-deb -x "$d" "$dir"; done
		rm -rf "$root/xpf/debs"
		if [ -d "$dir/usr/lib/modules/$k" ]; then
			mkdir -p "$dir/lib/modules/$k"
			cp -a "$dir/usr/lib/modules/$k/." "$dir/lib/modules/$k/"
			rm -rf "$dir/usr/lib/modules"
		fi
		if [ ! -f "$dir/boot/vmlinuz-$k" ]; then
			d=$( (ls "$dir/lib/modules/$k"/vmlinuz* 2>/dev/null || true) | head -n 1)
			[ -n "$d" ] || die "no kernel image in $pkgs"
			mkdir -p "$dir/boot"
			cp "$d" "$dir/boot/vmlinuz-$k"
		fi
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

# Builds a test module (a directory with its Kbuild and .c files) for KVER into OUT, in the
# chroot that holds KVER's headers when it is a newer suite's kernel.
kmod_build() { # source-dir out-dir kver
	local src=$1 out=$2 k=$3 root in kdir=/usr/src/linux-headers-$3
	rm -rf "$out"
	mkdir -p "$out"
	if root=$("$TOP/scripts/suite.sh" of "$k"); then
		in=/xpf/kmod/$(basename "$out")
		rm -rf "$root$in"
		mkdir -p "$root$in"
		cp "$src"/Kbuild "$src"/*.c "$root$in/"
		"$TOP/scripts/suite.sh" run "$root" make -C "/usr/src/linux-headers-$k" M="$in" W=1 modules \
			>"$out/build.log" 2>&1 || return 1
		cp "$root$in"/*.ko "$out/"
	else
		# This machine's headers, or the debug kernel's own tree (scripts/debug-kernel.sh).
		if root=$("$TOP/scripts/debug-kernel.sh" of "$k"); then kdir=$root/tree; fi
		[ -f "$kdir/Makefile" ] ||
			die "no kernel headers for $k (the test modules): install linux-headers-$k (make deps)"
		cp "$src"/Kbuild "$src"/*.c "$out/"
		make -C "$kdir" M="$out" W=1 modules >"$out/build.log" 2>&1
	fi
}

# The QEMU binary, or die naming the package.
qemu_bin() {
	if [ -n "${XPF_QEMU:-}" ]; then echo "$XPF_QEMU"; return; fi
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: apt-get install qemu-system-x86 (make deps)"
	echo qemu-system-x86_64
}
