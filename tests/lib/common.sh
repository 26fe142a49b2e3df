#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the QEMU-based tests: Debian packages by name, cached by version, and
# bounded waits. Source it; it sets TOP and BUILD.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${XPF_BUILD:-$TOP/build}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }

# The version apt would install, or die naming the fix.
deb_version() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	[ -n "$v" ] && [ "$v" != "(none)" ] ||
		die "apt knows no package '$1': run 'apt-get update' (as root) and check bookworm-security is a source"
	echo "$v"
}

# Downloads and unpacks a package (no install, no scripts); prints the directory. Cached by
# name and version, so a new archive version is fetched and an old one reused.
deb_unpack() {
	local name=$1 ver dir deb
	ver=$(deb_version "$name")
	dir=$BUILD/debs/${name}_$(echo "$ver" | tr ':+~' '___')
	if [ ! -f "$dir/.unpacked" ]; then
		mkdir -p "$BUILD/debs/dl" "$dir"
		chmod 777 "$BUILD/debs/dl"
		(cd "$BUILD/debs/dl" && apt-get download -q "$name=$ver" >/dev/null 2>"$BUILD/debs/dl/$name.err") ||
			die "apt-get download $name=$ver failed: $(tail -n 2 "$BUILD/debs/dl/$name.err")"
		deb=$(ls "$BUILD/debs/dl/${name}_"*.deb | head -n 1)
		dpkg-deb -x "$deb" "$dir"
		rm -f "$deb"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

# The QEMU binary, or die naming the package.
qemu_bin() {
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: apt-get install qemu-system-x86 (make deps)"
	echo qemu-system-x86_64
}
