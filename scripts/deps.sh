#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian packages a make target needs, by name, and nothing else.
# Usage: scripts/deps.sh GROUP...   (groups: build unit emu fuzz pkg debugkernel)
set -euo pipefail

declare -A pkgs=(
	[build]="make gcc-12 g++-12 sparse libxen-dev linux-headers-amd64 linux-headers-6.12-amd64 kmod debootstrap"
	[unit]="cmake g++ libgtest-dev googletest python3-pytest"
	[emu]="qemu-system-x86 qemu-utils busybox-static cpio kmod xz-utils zstd pciutils python3 python3-pytest"
	[fuzz]="clang libclang-rt-14-dev"
	[pkg]="dkms dpkg-dev"
	# The debug kernel (scripts/debug-kernel.sh): Debian's kernel source and its build tools.
	[debugkernel]="flex bison bc libelf-dev libssl-dev xz-utils gcc-12 make"
)

want=()
for g in "$@"; do
	[ -n "${pkgs[$g]:-}" ] || { echo "deps.sh: unknown group '$g'" >&2; exit 2; }
	for p in ${pkgs[$g]}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want+=("$p")
	done
done
[ ${#want[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "Missing Debian packages: ${want[*]} -- run as root, or: sudo apt-get install ${want[*]}" >&2
	exit 1
fi
if [ ! -r /etc/debian_version ]; then
	echo "This project needs Debian 12 (bookworm) with apt; missing: ${want[*]}" >&2
	exit 1
fi
# The 6.1 headers and 6.12 kernel live in bookworm-security; apt must see it.
if ! grep -rqs "bookworm-security" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "apt has no bookworm-security source: add it (see README, 'Kernel packages'), then retry" >&2
	exit 1
fi
echo "deps: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
if ! apt-get install -y -q --no-install-recommends "${want[@]}" >/tmp/xpf-apt.log 2>&1; then
	tail -n 20 /tmp/xpf-apt.log >&2
	echo "apt-get install failed for: ${want[*]} (log above; full log /tmp/xpf-apt.log)" >&2
	exit 1
fi
