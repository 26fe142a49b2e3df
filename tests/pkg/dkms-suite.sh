#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS package on a newer Debian suite (trixie, sid): tests/pkg/dkms.sh, run inside a
# throw-away copy of that suite's chroot (scripts/suite.sh), with the package built here and the
# suite's own dkms and compiler installed by its apt (the package's dependencies).
#   Usage: dkms-suite.sh SUITE
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
suite=${1:?usage: dkms-suite.sh SUITE}
[ "$(id -u)" = 0 ] || { echo "dkms-suite.sh: uses a chroot: run as root" >&2; exit 1; }
root=$("$top/scripts/suite.sh" root "$suite")
deb=$top/$("$top/scripts/deb.sh" | sed -n 's/^deb: //p' | head -n 1)
copy=$top/build/pkg/dkms-$suite
rm -rf "$copy"
mkdir -p "$top/build/pkg"
cp -a "$root" "$copy"
[ -n "${XPF_KEEP_CHROOT:-}" ] || trap 'rm -rf "$copy"' EXIT
rm -rf "$copy/xpf"
mkdir -p "$copy/xpf-pkg"
cp "$deb" "$top/tests/pkg/dkms.sh" "$copy/xpf-pkg/"
inside() { "$top/scripts/suite.sh" run "$copy" "$@"; }
# The chroot has the kernels' headers, not their modules; dkms 3 runs depmod only for a kernel
# whose module index exists and is not empty (an installed kernel). So each kernel gets one
# module of its own (the bench's xpf_floor, built for it) and its index, as if installed.
source "$top/tests/lib/common.sh"
for b in "$copy"/usr/lib/modules/*/build; do
	[ -e "$b" ] || continue
	k=$(basename "$(dirname "$b")")
	kmod_build "$top/tests/bench/floor-km" "$top/build/pkg/seed-$k" "$k" ||
		{ echo "dkms-suite: building a seed module for $k failed"; exit 1; }
	mkdir -p "$copy/usr/lib/modules/$k/kernel/extra"
	cp "$top/build/pkg/seed-$k/xpf_floor.ko" "$copy/usr/lib/modules/$k/kernel/extra/"
	inside depmod -a "$k"
done
# The package's dependencies come from the suite's apt, as they would on that system.
if ! inside sh -c "export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q --no-install-recommends \
	/xpf-pkg/$(basename "$deb")" >"$top/build/pkg/dkms-$suite-apt.log" 2>&1; then
	tail -n 15 "$top/build/pkg/dkms-$suite-apt.log"
	echo "dkms-suite: apt could not install the package in $suite (log: build/pkg/dkms-$suite-apt.log)"
	exit 1
fi
# apt installed it (and DKMS built it); dkms.sh starts from a removed package and checks it all.
inside env XPF_DKMS_DEB="/xpf-pkg/$(basename "$deb")" bash /xpf-pkg/dkms.sh | sed "s/^/[$suite] /"
