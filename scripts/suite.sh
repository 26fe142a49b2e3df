#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Newer Debian suites' kernels on a Debian 12 machine. Their kbuild tools need a newer C library
# than Debian 12's, so each suite gets a chroot of its own (debootstrap from the same archive,
# with the compiler its kernel was built with), cached by suite and day under $XPF_CHROOT_DIR
# (default /var/cache/xen-pcifront-cxx). The machine's own apt sources are never touched. The day
# is XPF_SUITE_DAY (YYYYMMDD) when set: make and the test runners set it once at their start, so
# a run that goes past midnight (UTC) keeps the chroot its modules were built in.
#
#   suite.sh root SUITE   the chroot's path (made, or refreshed once a day)
#   suite.sh kver SUITE   the newest kernel ABI of SUITE (e.g. 6.12.118+deb13-amd64)
#   suite.sh of KVER      the chroot that holds KVER's headers, or nothing (exit 1)
#   suite.sh suites       the suites this script knows
#   suite.sh run ROOT CMD...  CMD inside the chroot ROOT, with a /proc of its own in a private
#                         mount namespace (objtool and dkms read /proc; the machine's is untouched)
set -euo pipefail
cache=${XPF_CHROOT_DIR:-/var/cache/xen-pcifront-cxx}
mirror=${XPF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suites="trixie sid"

sources() {
	case $1 in
	trixie) printf 'deb %s trixie main\ndeb %s trixie-updates main\ndeb %s-security trixie-security main\n' \
		"$mirror" "$mirror" "$mirror" ;;
	# sid's Release file can be past its Valid-Until: the apt.conf below allows that.
	sid) printf 'deb %s sid main\n' "$mirror" ;;
	*) echo "suite.sh: unknown suite '$1' (known: $suites)" >&2; exit 2 ;;
	esac
}

# The gcc major version a kernel's headers were built with (their .kernelvariables name it).
kernel_gcc() {
	sed -n 's/^CC = .*gcc-\([0-9][0-9]*\).*/\1/p' "$1/.kernelvariables" | head -n 1
}

make_root() {
	local suite=$1 day root tmp gcc hdr
	day=${XPF_SUITE_DAY:-$(date -u +%Y%m%d)}
	[[ $day =~ ^2[0-9]{7}$ ]] || { echo "suite.sh: XPF_SUITE_DAY '$day' is not a day (YYYYMMDD)" >&2; exit 2; }
	root=$cache/$suite-$day
	[ -f "$root/.xpf-ready" ] && { echo "$root"; return; }
	if [ "$(id -u)" -ne 0 ]; then
		echo "suite.sh: a $suite chroot is needed at $root: run as root (debootstrap)" >&2
		exit 1
	fi
	command -v debootstrap >/dev/null || {
		echo "suite.sh: debootstrap is missing: apt-get install debootstrap (make deps)" >&2
		exit 1
	}
	mkdir -p "$cache"
	# One maker at a time (two builds started together, say): the others wait for it and then
	# take its chroot, instead of removing the directory it is filling.
	exec 9>"$cache/.$suite.lock"
	flock 9
	[ -f "$root/.xpf-ready" ] && { exec 9>&-; echo "$root"; return; }
	tmp=$root.tmp
	rm -rf "$tmp"
	echo "suite.sh: making the $suite chroot in $root (about 2 minutes)" >&2
	if ! debootstrap --variant=minbase --include=make,sparse,libxen-dev,kmod,dwarves,bc,binutils \
		"$suite" "$tmp" "$mirror" >"$tmp.log" 2>&1; then
		tail -n 15 "$tmp.log" >&2
		echo "suite.sh: debootstrap of $suite failed (log: $tmp.log)" >&2
		exit 1
	fi
	sources "$suite" >"$tmp/etc/apt/sources.list"
	echo 'Acquire::Check-Valid-Until "false";' >"$tmp/etc/apt/apt.conf.d/99xpf-valid-until"
	if ! chroot "$tmp" sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -q &&
		apt-get install -y -q --no-install-recommends linux-headers-amd64' >>"$tmp.log" 2>&1; then
		tail -n 15 "$tmp.log" >&2
		echo "suite.sh: installing $suite's linux-headers-amd64 failed (log: $tmp.log)" >&2
		exit 1
	fi
	hdr=$( (ls -d "$tmp"/usr/src/linux-headers-*-amd64 2>/dev/null || true) | sort -V | tail -n 1)
	[ -n "$hdr" ] || { echo "suite.sh: $suite's linux-headers-amd64 installed no headers (log: $tmp.log)" >&2; exit 1; }
	gcc=$(kernel_gcc "$hdr")
	[ -n "$gcc" ] || { echo "suite.sh: no compiler named in $hdr/.kernelvariables" >&2; exit 1; }
	if ! chroot "$tmp" sh -c "export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q \
		--no-install-recommends gcc-$gcc g++-$gcc" >>"$tmp.log" 2>&1; then
		tail -n 15 "$tmp.log" >&2
		echo "suite.sh: installing gcc-$gcc/g++-$gcc in the $suite chroot failed (log: $tmp.log)" >&2
		exit 1
	fi
	chroot "$tmp" apt-get clean
	touch "$tmp/.xpf-ready"
	mv "$tmp" "$root"
	mv "$tmp.log" "$root.log"
	# Older days' chroots of this suite are superseded.
	for old in "$cache/$suite"-2*; do
		case $old in "$root"|"$root".*) ;; *.log) rm -f "$old" ;; *) rm -rf "$old" ;; esac
	done
	echo "$root"
}

cmd=${1:-}
case $cmd in
root) make_root "${2:?usage: suite.sh root SUITE}" ;;
kver)
	root=$(make_root "${2:?usage: suite.sh kver SUITE}")
	ls -d "$root"/usr/src/linux-headers-*-amd64 | sed 's|.*/linux-headers-||' | sort -V | tail -n 1
	;;
of)
	kver=${2:?usage: suite.sh of KVER}
	for r in $(ls -d "$cache"/*-2* 2>/dev/null | grep -v '\.\(tmp\|log\)$' | sort -r); do
		[ -f "$r/.xpf-ready" ] && [ -f "$r/usr/src/linux-headers-$kver/Makefile" ] &&
			{ echo "$r"; exit 0; }
	done
	exit 1
	;;
suites) echo "$suites" ;;
run)
	root=${2:?usage: suite.sh run ROOT CMD...}
	shift 2
	[ $# -gt 0 ] || { echo "usage: suite.sh run ROOT CMD..." >&2; exit 2; }
	exec unshare --mount --propagation private chroot "$root" sh -c 'mount -t proc proc /proc && exec "$@"' sh "$@"
	;;
*) sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
