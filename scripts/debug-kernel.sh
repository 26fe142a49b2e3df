#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The driver domain's debug kernel: Debian's linux-source-6.1 (the version of the packaged 6.1
# kernel), `make tinyconfig` plus tests/debugkernel/debug.config (a Xen PV guest, the drivers the
# scenarios bind, lockdep, UBSAN, kmemleak, object debugging, SLUB debugging, KFENCE). Built
# once per source version and fragment, cached outside the clone under $XPF_DEBUG_KERNEL_DIR
# (default /var/cache/xen-pcifront-cxx/debug-kernel); a clone without the cache builds it.
#
#   debug-kernel.sh build     builds it unless cached; prints its release (6.1.<n>-xpfdebug)
#   debug-kernel.sh release   its release when built, or exit 1
#   debug-kernel.sh of KVER   the directory of the current debug kernel when KVER is its release,
#                             or nothing (exit 1). In it: tree/ (the built tree: KDIR for
#                             module builds), root/boot/vmlinuz-KVER, root/lib/modules/KVER/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XPF_DEBUG_KERNEL_DIR:-/var/cache/xen-pcifront-cxx/debug-kernel}
fragment=$top/tests/debugkernel/debug.config
pkg=linux-source-6.1

# The cache entry for the source version apt offers now and this fragment.
entry() {
	local ver
	ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || {
		echo "debug-kernel.sh: apt knows no $pkg: run 'apt-get update' (as root)" >&2
		exit 1
	}
	# The fragment's settings, not its comments, name the build.
	echo "$cache/$ver-$(grep -E '^(CONFIG_|# CONFIG_)' "$fragment" | sha256sum | cut -c1-12)"
}

# Every line of the fragment must hold in the final .config: an option that olddefconfig
# dropped (an unmet dependency) would leave a check silently off.
check_config() { # .config
	local line name bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF "$line" "$1" || { name=${line%%=*}; bad=1
			echo "debug-kernel.sh: $line did not hold: $(grep -E "^$name=|^# $name is not set" "$1" || echo "$name is not offered")" >&2; } ;;
		"# CONFIG_"*" is not set") name=${line#\# }; name=${name%% *}
			grep -qE "^$name=" "$1" && { bad=1; echo "debug-kernel.sh: $name should be off" >&2; } ;;
		esac
	done <"$fragment"
	return $bad
}

build() {
	local dir tmp src tree rel n start
	dir=$(entry)
	[ -f "$dir/.xpf-ready" ] && { cat "$dir/release"; return; }
	[ "$(id -u)" -eq 0 ] || { echo "debug-kernel.sh: building the debug kernel in $cache needs root" >&2; exit 1; }
	for t in flex bison bc gcc make; do
		command -v $t >/dev/null || { echo "debug-kernel.sh: $t is missing: make deps (scripts/deps.sh debugkernel)" >&2; exit 1; }
	done
	[ -f /usr/include/libelf.h ] || { echo "debug-kernel.sh: libelf-dev is missing (objtool): make deps" >&2; exit 1; }
	tmp=$dir.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	echo "debug-kernel.sh: building the debug kernel in $dir (once; about 10 minutes on 2 cores)" >&2
	(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>"$tmp/download.log") || {
		echo "debug-kernel.sh: apt-get download $pkg failed: $(tail -n 2 "$tmp/download.log")" >&2
		exit 1
	}
	dpkg-deb --fsys-tarfile "$tmp"/${pkg}_*.deb | tar -xOf - ./usr/src/$pkg.tar.xz | tar -xJf - -C "$tmp"
	rm -f "$tmp"/${pkg}_*.deb
	mv "$tmp/$pkg" "$tmp/tree"
	tree=$tmp/tree
	start=$SECONDS
	{
		make -C "$tree" tinyconfig &&
			"$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" "$tree/.config" "$fragment" &&
			make -C "$tree" olddefconfig
	} >"$tmp/config.log" 2>&1 || {
		tail -n 15 "$tmp/config.log" >&2
		echo "debug-kernel.sh: configuring failed (log: $tmp/config.log)" >&2
		exit 1
	}
	check_config "$tree/.config" || exit 1
	n=$(nproc)
	if ! make -C "$tree" -j"$n" bzImage modules >"$tmp/build.log" 2>&1; then
		grep -E 'error|Error' "$tmp/build.log" | head -n 20 >&2
		echo "debug-kernel.sh: the build failed (log: $tmp/build.log)" >&2
		exit 1
	fi
	rel=$(make -s -C "$tree" kernelrelease)
	make -C "$tree" INSTALL_MOD_PATH="$tmp/root" INSTALL_MOD_STRIP=1 modules_install >>"$tmp/build.log" 2>&1
	rm -f "$tmp/root/lib/modules/$rel/build" "$tmp/root/lib/modules/$rel/source"
	mkdir -p "$tmp/root/boot"
	cp "$tree/arch/x86/boot/bzImage" "$tmp/root/boot/vmlinuz-$rel"
	echo "$rel" >"$tmp/release"
	echo "debug-kernel.sh: $rel built in $((SECONDS - start)) s" >&2
	rm -rf "$dir"
	mv "$tmp" "$dir"
	touch "$dir/.xpf-ready"
	# Older entries (another source version or fragment) are not used again.
	for old in "$cache"/*; do
		[ "$old" = "$dir" ] || rm -rf "$old"
	done
	echo "$rel"
}

case ${1:-} in
build) build ;;
release)
	dir=$(entry)
	[ -f "$dir/.xpf-ready" ] || { echo "debug-kernel.sh: the debug kernel is not built: scripts/debug-kernel.sh build" >&2; exit 1; }
	cat "$dir/release"
	;;
of)
	kver=${2:?usage: debug-kernel.sh of KVER}
	case $kver in *-xpfdebug) ;; *) exit 1 ;; esac
	dir=$(entry)
	[ -f "$dir/.xpf-ready" ] && [ "$(cat "$dir/release")" = "$kver" ] || exit 1
	echo "$dir"
	;;
*) sed -n '3,14s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
