#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Debian packages of the module set, in build/deb/:
#   xen-pcifront-cxx-dkms_<ver>_all.deb         the sources under /usr/src, built by DKMS for
#                                               every kernel with headers (and each new one)
#   xen-pcifront-cxx-modules-<kver>_<ver>_amd64.deb   the modules built here for one kernel, for
#                                               an image without a compiler (the emulated host's
#                                               driver domain)
# Each ships a /lib/modprobe.d/xen-pcifront-cxx*.conf that blacklists the in-tree xen-pcifront;
# a modules package conflicts with the DKMS one. No conffiles: `dpkg -r` removes everything.
# Usage: deb.sh [KVER...]   (the modules package for each KVER, from build/kbuild/<kver>/)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
name=xen-pcifront-cxx
die() { echo "deb.sh: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || die "dpkg-deb missing: apt-get install dpkg"
# The version: 0.1.<commits>; a tree without git history is 0.1.0.
ver=0.1.$(git -C "$top" rev-list --count HEAD 2>/dev/null || echo 0)
maint="xen-pcifront-cxx developers <xen-pcifront-cxx@localhost>"
mkdir -p "$out"

control() { # package arch depends extra-fields description
	sed '/^$/d' <<EOF
Package: $1
Version: $ver
Architecture: $2
Maintainer: $maint
Section: kernel
Priority: optional
Depends: $3
$4
Description: $5
 A Xen PCI frontend written in a kernel-safe subset of C++: a PV guest (typically a driver
 domain) uses the PCI devices passed through to it, with MSI/MSI-X, xenbus hotplug
 (xl pci-attach / pci-detach) and a frontend hardened against a misbehaving backend. It
 replaces the in-tree xen-pcifront, which this package blacklists.
EOF
}

# --- The DKMS package -----------------------------------------------------------------------
stage=$out/stage-dkms
rm -rf "$stage"
src=$stage/usr/src/$name-$ver
mkdir -p "$src" "$stage/DEBIAN" "$stage/lib/modprobe.d"
(cd "$top" && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod*' \
	Kbuild scripts/kbuild-cxx.mk scripts/kapi.sh include shim lib evtchn x86-msi-ops xenbus-hotplug pcifront) |
	tar -xf - -C "$src"
sed "s/@VERSION@/$ver/" "$top/dkms.conf" >"$src/dkms.conf"
install -m 644 "$top/packaging/modprobe.conf" "$stage/lib/modprobe.d/$name.conf"
# The C++ compiler must be the kernel's gcc's (kbuild-cxx.mk names it when missing). Debian
# builds each suite's kernel with that suite's newest gcc, so the newest g++ a suite has fits:
# g++-12 on Debian 12, g++-14 on Debian 13, g++-16 on sid today.
control "$name-dkms" all "dkms, libxen-dev, make, g++-16 | g++-15 | g++-14 | g++-12" "" \
	"Xen PCI frontend in C++ (DKMS sources)" >"$stage/DEBIAN/control"
cat >"$stage/DEBIAN/postinst" <<EOF
#!/bin/sh
# Builds and installs the modules for every kernel whose headers are installed; DKMS's own
# kernel hook does the same for kernels installed later (AUTOINSTALL in dkms.conf).
set -e
[ "\$1" = configure ] || exit 0
dkms status -m $name -v $ver | grep -q . || dkms add -m $name -v $ver
for b in /lib/modules/*/build; do
	[ -e "\$b/Makefile" ] || continue
	k=\${b%/build}
	k=\${k##*/}
	dkms install -m $name -v $ver -k "\$k" ||
		echo "$name: the DKMS build for \$k failed (see /var/lib/dkms/$name/$ver/build/make.log)" >&2
done
EOF
cat >"$stage/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
case "\$1" in
remove | upgrade | deconfigure) dkms remove -m $name -v $ver --all || true ;;
esac
EOF
chmod 755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/${name}-dkms_${ver}_all.deb" >/dev/null
echo "deb: ${out#$top/}/${name}-dkms_${ver}_all.deb"

# --- Prebuilt modules for one kernel -----------------------------------------------------------
for kver in "$@"; do
	ko=$top/build/kbuild/$kver
	ls "$ko"/*.ko >/dev/null 2>&1 || die "no modules in ${ko#$top/}: run scripts/kbuild.sh $kver first"
	stage=$out/stage-$kver
	rm -rf "$stage"
	mkdir -p "$stage/DEBIAN" "$stage/lib/modules/$kver/updates/$name" "$stage/lib/modprobe.d"
	install -m 644 "$ko"/*.ko "$stage/lib/modules/$kver/updates/$name/"
	# One file per kernel's package: two kernels' packages install side by side.
	install -m 644 "$top/packaging/modprobe.conf" "$stage/lib/modprobe.d/$name-$kver.conf"
	control "$name-modules-$kver" amd64 "linux-image-$kver | linux-image-$kver-unsigned" \
		"Conflicts: $name-dkms" \
		"Xen PCI frontend in C++ (modules for Linux $kver)" >"$stage/DEBIAN/control"
	# depmod -b: an image installed with dpkg --root (DPKG_ROOT) is indexed where it lives.
	for s in postinst postrm; do
		cat >"$stage/DEBIAN/$s" <<EOF
#!/bin/sh
set -e
case "\$1" in
configure | remove | purge | abort-install | abort-upgrade)
	[ -d "\${DPKG_ROOT:-}/lib/modules/$kver" ] && depmod -b "\${DPKG_ROOT:-/}" $kver || true ;;
esac
EOF
		chmod 755 "$stage/DEBIAN/$s"
	done
	deb=$out/${name}-modules-${kver}_${ver}_amd64.deb
	dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
	echo "deb: ${deb#$top/}"
done
