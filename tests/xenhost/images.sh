#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds what the emulated Xen host boots, from Debian packages only:
#   build/xenhost/xen-4.17.elf            Debian's Xen hypervisor, gunzipped (QEMU multiboot)
#   build/xenhost/<kver>/vmlinuz          Debian's kernel for dom0
#   build/xenhost/<kver>/domu-vmlinuz     Debian's kernel <kver> for the driver domain
#   build/xenhost/<kver>/dom0.cpio.gz     dom0: busybox, xl/xenstored/xenconsoled, pciutils, the
#                                         Xen backend modules, our scenario scripts, and inside it
#                                         the driver domain's kernel and initramfs (/xpf/)
# Two host generations (XPF_HOST): Debian 12's (bookworm, the default: Xen 4.17, dom0 on <kver>
# when it is one of Debian 12's kernels, else on Debian 12's 6.1: for a newer suite's kernel or
# the debug kernel of scripts/debug-kernel.sh in the driver domain) and Debian 13's (trixie: Xen
# 4.20, dom0 on Debian 13's 6.12 with its toolstack and pciback, every package and library from
# the trixie chroot of scripts/suite.sh; images in build/xenhost/host-trixie/<kver>/).
# Unpacked packages are cached by package version. The images are assembled again whenever
# what goes into them changed (this script, the guest scripts, the rogue's source, our modules,
# the package of the install scenario): a fingerprint of those is kept beside them.
# Usage: images.sh KVER [MODULES_DIR]
source "$(dirname "$0")/../lib/common.sh"
kver=${1:?usage: images.sh KVER [MODULES_DIR]}
ours=${2:-$BUILD/kbuild/$kver}
host=${XPF_HOST:-bookworm}
case $host in
bookworm)
	hsuite= xenv=4.17 out=$BUILD/xenhost/$kver
	if "$TOP/scripts/suite.sh" of "$kver" >/dev/null || "$TOP/scripts/debug-kernel.sh" of "$kver" >/dev/null; then
		dkver=$("$TOP/scripts/kver.sh" 6.1)
	else
		dkver=$kver
	fi
	;;
trixie)
	hsuite=trixie xenv=4.20 out=$BUILD/xenhost/host-trixie/$kver
	dkver=$("$TOP/scripts/suite.sh" kver trixie) || die "no Debian 13 kernel for dom0 (scripts/suite.sh)"
	;;
*) die "XPF_HOST must be bookworm or trixie, not '$host'" ;;
esac
xen_elf=$BUILD/xenhost/xen-$xenv.elf
mkdir -p "$out"
ls "$ours"/*.ko >/dev/null 2>&1 ||
	die "no modules in $ours: build them first (scripts/kbuild.sh $kver, or make check)"
# Modules built before the last edit of their sources would be tested in their place: refused
# (rebuilding here could mix two builds' code in one run of cells).
if [ -z "${2:-}" ]; then
	_built=$(ls -t "$ours"/*.ko | head -n 1)
	_newer=$(cd "$TOP" && find Kbuild scripts/kapi.sh scripts/kbuild-cxx.mk include lib shim pcifront evtchn \
		x86-msi-ops xenbus-hotplug -type f \( -name '*.[ch]' -o -name '*.[ch]pp' -o -name Kbuild \
		-o -name '*.mk' -o -name '*.sh' \) -newer "$_built" -print -quit 2>/dev/null) || _newer=
	[ -z "$_newer" ] ||
		die "the modules in $ours are older than $_newer: rebuild them (scripts/kbuild.sh $kver)"
fi

fingerprint=$({
	echo "$host $kver $dkver ${XPF_BUSYBOX:-static} ${XPF_PKG_DEB:-} ${XPF_STUBDOM:-}"
	cat "$0" "$TOP"/tests/xenhost/guest/* "$TOP"/tests/rogue/xpf-rogue.c "$TOP"/tests/rogue/msix-probe/* "$TOP"/tests/xenhost/aer-driver/* "$TOP"/tests/bench/floor-km/* \
		"$TOP/tests/lib/common.sh" \
		"$TOP/tests/bench/xpf-bench.c"
	cat "$ours"/*.ko ${XPF_PKG_DEB:+"$XPF_PKG_DEB"} 2>/dev/null
} | sha256sum | cut -c1-32)
if [ -f "$xen_elf" ] && [ -f "$out/dom0.cpio.gz" ] &&
	[ "$(cat "$out/fingerprint" 2>/dev/null)" = "$fingerprint" ]; then
	say "images: $kver up to date (dom0 $(du -h "$out/dom0.cpio.gz" | cut -f1))"
	exit 0
fi
rm -f "$out/fingerprint"

LIB_PKGS="libxenmisc$xenv libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1
	libxenstore4 libxentoollog1 libxendevicemodel1 libxentoolcore1 libxenhypfs1 libyajl2
	liblzma5 libuuid1 libzstd1 zlib1g libpci3 libkmod2 libgcc-s1 libc6
	libcom-err2 libcap2 libidn2-0"
# The libraries Debian 13 renamed (the 64-bit time_t transition, a new libunistring), and the
# one its libpci needs (libudev).
if [ "$host" = trixie ]; then
	LIB_PKGS+=" libext2fs2t64 libssl3t64 libunistring5 libudev1"
else
	LIB_PKGS+=" libext2fs2 libssl3 libunistring2"
fi
DOM0_MODS="xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-pciback e1000 e1000e nvme"
DOMU_MODS="xen-pcifront xen-evtchn e1000 e1000e nvme ahci sd_mod" # xen-evtchn: the bench floor

# --- Xen hypervisor -------------------------------------------------------------------------
hv=$(deb_unpack "xen-hypervisor-$xenv-amd64" "$hsuite")
if [ ! -f "$xen_elf" ] || [ "$hv/boot/xen-$xenv-amd64.gz" -nt "$xen_elf" ]; then
	# QEMU's multiboot loader hangs on the .gz: it wants the ELF.
	gunzip -c "$hv/boot/xen-$xenv-amd64.gz" >"$xen_elf.tmp"
	mv "$xen_elf.tmp" "$xen_elf"
fi

# --- Kernel images and module indexes (the driver domain's, and dom0's) ----------------------
img=$(kernel_unpack "$kver")
dimg=$(kernel_unpack "$dkver")
for k in "$kver:$img" "$dkver:$dimg"; do
	[ -f "${k#*:}/boot/vmlinuz-${k%%:*}" ] || die "the ${k%%:*} kernel package has no vmlinuz"
	# The package ships no modules.dep: index it once.
	[ -f "${k#*:}/lib/modules/${k%%:*}/modules.dep" ] || depmod -b "${k#*:}" "${k%%:*}"
done
cp -u "$dimg/boot/vmlinuz-$dkver" "$out/vmlinuz"
cp -u "$img/boot/vmlinuz-$kver" "$out/domu-vmlinuz"

# The module files (with their dependencies) needed to modprobe each name.
module_closure() { # unpacked-kernel kver module...
	local i=$1 k=$2 m files
	shift 2
	for m in "$@"; do
		files=$( (modprobe -d "$i" -S "$k" --show-depends "$m" 2>/dev/null || true) |
			awk '$1 == "insmod" {print $2}')
		[ -n "$files" ] || die "module $m not found in the $k kernel's modules"
		echo "$files"
	done | sort -u
}

# Copies modules into a root and indexes them there (busybox modprobe reads modules.dep).
install_modules() { # root unpacked-kernel kver module...
	local root=$1 i=$2 k=$3 f rel files
	shift 3
	files=$(module_closure "$i" "$k" "$@") || exit 1
	for f in $files; do
		rel=${f#"$i"}
		mkdir -p "$root$(dirname "$rel")"
		cp "$f" "$root$rel"
	done
	cp "$i/lib/modules/$k/"modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$k/"
}

# --- Shared-library resolution from unpacked packages ----------------------------------------
libroots=()
for p in $LIB_PKGS; do libroots+=("$(deb_unpack "$p" "$hsuite")"); done
# On Debian 12's host a library no package above has may come from this machine (the same
# suite); never on Debian 13's, whose programs need its own C library.
[ "$host" = trixie ] || libroots+=("")
find_lib() {
	local r d
	for r in "${libroots[@]}"; do
		for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu usr/lib/xen-$xenv/lib usr/lib; do
			[ -e "$r/$d/$1" ] && { echo "$r/$d/$1"; return 0; }
		done
	done
	return 1
}
# Copies ELF files into ROOT at their paths, and every library they need, recursively.
install_elf() {
	local root=$1 src=$2 dst=$3 lib path
	mkdir -p "$root$(dirname "$dst")"
	cp -L "$src" "$root$dst"
	for lib in $(readelf -d "$src" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		[ -e "$root/lib/x86_64-linux-gnu/$lib" ] && continue
		path=$(find_lib "$lib") || die "no package here provides $lib (needed by $dst): add it to LIB_PKGS"
		install_elf "$root" "$path" "/lib/x86_64-linux-gnu/$lib"
	done
}
# A program in an unpacked package: /bin/X on Debian 12, /usr/bin/X on Debian 13 (merged /usr).
pkg_bin() { # package-dir name
	local d
	for d in bin usr/bin sbin usr/sbin; do
		[ -f "$1/$d/$2" ] && { echo "$1/$d/$2"; return 0; }
	done
	die "no program $2 in ${1##*/}"
}
base_root() { # root
	local root=$1
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,var/log,var/run,var/lib,lib64,usr/share/misc}
	if [ "${XPF_BUSYBOX:-static}" = static ]; then
		cp /bin/busybox "$root/bin/busybox"
	else
		install_elf "$root" "$(pkg_bin "$(deb_unpack busybox "$hsuite")" busybox)" /bin/busybox
	fi
	install_elf "$root" "$(find_lib ld-linux-x86-64.so.2)" /lib64/ld-linux-x86-64.so.2
	pci=$(deb_unpack pciutils "$hsuite")
	install_elf "$root" "$pci/usr/bin/lspci" /usr/bin/lspci
	install_elf "$root" "$pci/usr/bin/setpci" /usr/bin/setpci
	cp "$(deb_unpack pci.ids "$hsuite")/usr/share/misc/pci.ids" "$root/usr/share/misc/pci.ids"
	# Debian's ping: busybox's static ping6 crashes resolving "fe80::..%eth0" (static glibc).
	install_elf "$root" "$(pkg_bin "$(deb_unpack iputils-ping "$hsuite")" ping)" /usr/bin/ping
	printf 'root:x:0:0:root:/:/bin/sh\n' >"$root/etc/passwd"
}

# --- Driver domain (domU) initramfs ----------------------------------------------------------
domu=$out/domu-root
rm -rf "$domu"
base_root "$domu"
# virtio-net (the aer scenario's device) where the kernel has it as a module: 6.12 and later
# have virtio_pci built in ("builtin virtio_pci"), and the debug kernel has no virtio at all.
opt=
for m in virtio_net virtio_pci; do
	modprobe -d "$img" -S "$kver" --show-depends "$m" 2>/dev/null | grep -q '^insmod ' && opt+=" $m"
done
install_modules "$domu" "$img" "$kver" $DOMU_MODS $opt
if [ -f "$ours/xen-pcifront-cxx.ko" ]; then
	mkdir -p "$domu/lib/modules/$kver/extra"
	cp "$ours"/*.ko "$domu/lib/modules/$kver/extra/"
fi
depmod -b "$domu" "$kver"
mkdir -p "$domu/xpf"
# Our test programs for the emulated host, compiled again when their source changed.
build_tool() { # source binary [library...]
	local src=$1 bin=$2
	shift 2
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		mkdir -p "$(dirname "$bin")"
		gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$bin" "$src" "$@" ||
			die "building $(basename "$bin") failed (needs libxen-dev: make deps)"
	fi
}
# The bench scenario's measuring tool (tests/bench/).
bench=$BUILD/bench/xpf-bench
build_tool "$TOP/tests/bench/xpf-bench.c" "$bench"
install_elf "$domu" "$bench" /xpf/xpf-bench
# Test modules, built for this kernel and loaded by path: the rogue's msix round's test driver
# (tests/rogue/msix-probe/), the aer scenario's driver with error handlers
# (tests/xenhost/aer-driver/), and the bench's kernel-to-kernel event-channel floor
# (tests/bench/floor-km/: xpf_floor and xpf_confread in the driver domain, xpf_floor_echo in
# dom0).
build_kmod() { # source directory (with its Kbuild), build directory, kernel
	kmod_build "$@" ||
		die "building the test modules of ${1#$TOP/} for $3 failed: $(grep -m 3 -E 'error|Error' "$2/build.log")"
}
build_kmod "$TOP/tests/rogue/msix-probe" "$BUILD/rogue/msix-probe-$kver" "$kver"
cp "$BUILD/rogue/msix-probe-$kver/xpf_msix_probe.ko" "$domu/xpf/"
build_kmod "$TOP/tests/xenhost/aer-driver" "$BUILD/xenhost/aer-driver-$kver" "$kver"
cp "$BUILD/xenhost/aer-driver-$kver/xpf_aer_driver.ko" "$domu/xpf/"
build_kmod "$TOP/tests/bench/floor-km" "$BUILD/bench/floor-km-$kver" "$kver"
[ "$dkver" = "$kver" ] || build_kmod "$TOP/tests/bench/floor-km" "$BUILD/bench/floor-km-$dkver" "$dkver"
cp "$BUILD/bench/floor-km-$kver/xpf_floor.ko" "$BUILD/bench/floor-km-$kver/xpf_confread.ko" "$domu/xpf/"
cp "$TOP/tests/xenhost/guest/lib.sh" "$domu/xpf/lib.sh"
cp "$TOP"/tests/xenhost/guest/domu-*.sh "$domu/xpf/"
cp "$TOP/tests/xenhost/guest/domu-init" "$domu/init"
chmod +x "$domu/init"
(cd "$domu" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/domu.cpio.gz"

# --- The install scenario's driver domains (XPF_PKG_DEB: a modules package, scripts/deb.sh) ---
# The same root without the loose modules, with Debian's kmod as modprobe (it reads
# /lib/modprobe.d, busybox's does not) and a dpkg database; the package is installed with dpkg
# (--root; its scripts run here, DPKG_ROOT set, as the package supports), and in a second copy
# removed again with `dpkg -r`. The image's kernel was unpacked, not installed by dpkg: the
# package's dependency on it is forced.
pkg_images=
if [ -n "${XPF_PKG_DEB:-}" ]; then
	[ -f "$XPF_PKG_DEB" ] || die "no package $XPF_PKG_DEB (scripts/deb.sh $kver)"
	pkgname=$(dpkg-deb -f "$XPF_PKG_DEB" Package)
	p=$out/domu-pkg-root
	rm -rf "$p"
	cp -a "$domu" "$p"
	rm -rf "$p/lib/modules/$kver/extra"
	depmod -b "$p" "$kver"
	install_elf "$p" "$(pkg_bin "$(deb_unpack kmod "$hsuite")" kmod)" /bin/kmod
	for t in modprobe depmod rmmod insmod lsmod modinfo; do ln -sf /bin/kmod "$p/sbin/$t"; done
	mkdir -p "$p/var/lib/dpkg/info" "$p/var/lib/dpkg/updates" "$p/var/lib/dpkg/triggers"
	touch "$p/var/lib/dpkg/status" "$p/var/lib/dpkg/available"
	dpkg --root="$p" --force-script-chrootless --force-depends -i "$XPF_PKG_DEB" >"$out/dpkg-install.log" 2>&1 ||
		die "dpkg -i $XPF_PKG_DEB into the driver domain's root failed: $(tail -n 3 "$out/dpkg-install.log")"
	[ -f "$p/lib/modprobe.d/xen-pcifront-cxx-$kver.conf" ] || die "the package installed no modprobe.d file"
	# What udev's alias loading (modprobe -b) would insert there: ours, not the in-tree one.
	by_alias=$( (modprobe -d "$p" -S "$kver" -C "$p/lib/modprobe.d" -b -n -v xen:pci 2>/dev/null || true) |
		sed -n 's|^insmod .*/\([^/]*\)\.ko.*|\1|p' | awk '!seen[$0]++' | tr '\n' ' ')
	[ "$by_alias" = "xen-pcifront-evtchn xen-pcifront-hotplug xen-pcifront-msi xen-pcifront-cxx " ] ||
		die "in the packaged image, alias xen:pci would load '$by_alias'"
	r=$out/domu-unpkg-root
	rm -rf "$r"
	cp -a "$p" "$r"
	dpkg --root="$r" --force-script-chrootless -r "$pkgname" >"$out/dpkg-remove.log" 2>&1 ||
		die "dpkg -r $pkgname failed: $(tail -n 3 "$out/dpkg-remove.log")"
	(cd "$p" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/domu-pkg.cpio.gz"
	(cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/domu-unpkg.cpio.gz"
	pkg_images="$out/domu-pkg.cpio.gz $out/domu-unpkg.cpio.gz"
fi

# --- The stubdom scenario's images (XPF_STUBDOM=1; docs/stubdomain.md) -----------------------
# An HVM guest whose device model (Debian's QEMU) runs in a PV Linux stubdomain, where the PCI
# frontend under test carries QEMU's config accesses to the guest's passed-through devices.
#   hvm.cpio.gz      the HVM guest (the driver domain's kernel, direct boot): e1000, ping
#   stubdom.cpio.gz  the stubdomain (the same kernel): QEMU, xenstore tools, vchan-socket-proxy,
#                    the Xen device modules, both frontends, and the guest's kernel and initramfs
#                    at the paths dom0's libxl hands QEMU
# dom0 gets QEMU too (libxl runs one there for the stubdomain's consoles), hvmloader, SeaBIOS
# and vchan-socket-proxy where libxl looks for it.
# QEMU's libraries: the library packages in the closure of qemu-system-xen's dependencies, as
# the host's suite has them (Debian 13 renamed many in its 64-bit time_t transition).
stubdom_lib_pkgs() {
	local apt=(apt-cache)
	[ -z "$hsuite" ] || apt=(chroot "$("$TOP/scripts/suite.sh" root "$hsuite")" apt-cache)
	"${apt[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances qemu-system-xen | grep '^lib' | sort -u
}
QEMU_DM=/usr/libexec/xen-qemu-system-i386
xu=$(deb_unpack "xen-utils-$xenv" "$hsuite")
stub_images=
if [ -n "${XPF_STUBDOM:-}" ]; then
	pkgs=$(stubdom_lib_pkgs) && [ -n "$pkgs" ] ||
		die "apt knows no dependencies of qemu-system-xen${hsuite:+ in the $hsuite chroot}: apt-get update"
	for p in $pkgs; do libroots+=("$(deb_unpack "$p" "$hsuite")"); done
	qemu=$(deb_unpack qemu-system-xen "$hsuite")
	qdata=$(deb_unpack qemu-system-data "$hsuite")
	sbios=$(deb_unpack seabios "$hsuite")
	[ -x "$qemu$QEMU_DM" ] || die "qemu-system-xen has no $QEMU_DM"
	# QEMU's data files a direct-boot xenfv guest needs (its option ROMs, keymaps), and the BIOS.
	qemu_data() { # root
		mkdir -p "$1/usr/share/qemu" "$1/usr/share/seabios"
		cp "$qdata"/usr/share/qemu/linuxboot_dma.bin "$qdata"/usr/share/qemu/linuxboot.bin "$1/usr/share/qemu/"
		# libxl passes -vnc none, and QEMU then loads its keymap (or exits).
		cp -r "$qdata"/usr/share/qemu/keymaps "$1/usr/share/qemu/"
		cp -L "$sbios"/usr/share/seabios/bios-256k.bin "$1/usr/share/seabios/"
	}
	# The HVM guest.
	hvm=$out/hvm-root
	rm -rf "$hvm"
	base_root "$hvm"
	install_modules "$hvm" "$img" "$kver" e1000 e1000e nvme
	depmod -b "$hvm" "$kver"
	mkdir -p "$hvm/xpf"
	cp "$TOP/tests/xenhost/guest/lib.sh" "$hvm/xpf/lib.sh"
	cp "$TOP/tests/xenhost/guest/hvm-init" "$hvm/init"
	chmod +x "$hvm/init"
	(cd "$hvm" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/hvm.cpio.gz"
	# The stubdomain. Its initramfs is not compressed: libxl gives QEMU 30 s from the
	# stubdomain's unpause to "running", and TCG unpacks slowly.
	st=$out/stubdom-root
	rm -rf "$st"
	base_root "$st"
	# e1000: the driver a careless stubdomain would bind to the guest's NIC (drivers-kept-off).
	install_modules "$st" "$img" "$kver" xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-pcifront e1000
	mkdir -p "$st/lib/modules/$kver/extra"
	cp "$ours"/*.ko "$st/lib/modules/$kver/extra/"
	depmod -b "$st" "$kver"
	install_elf "$st" "$qemu$QEMU_DM" "$QEMU_DM"
	qemu_data "$st"
	install_elf "$st" "$(deb_unpack xenstore-utils "$hsuite")/usr/bin/xenstore" /usr/bin/xenstore
	for c in read write rm ls list exists; do ln -sf xenstore "$st/usr/bin/xenstore-$c"; done
	install_elf "$st" "$xu/usr/lib/xen-$xenv/bin/vchan-socket-proxy" /usr/bin/vchan-socket-proxy
	mkdir -p "$st/xpf"
	cp "$TOP/tests/xenhost/guest/lib.sh" "$st/xpf/lib.sh"
	cp "$TOP/tests/xenhost/guest/stubdom-init" "$st/init"
	chmod +x "$st/init"
	# The guest's kernel and initramfs at the paths of the guest's config (/xpf/ in dom0).
	cp "$out/domu-vmlinuz" "$st/xpf/vmlinuz"
	cp "$out/hvm.cpio.gz" "$st/xpf/hvm.cpio.gz"
	(cd "$st" && find . | cpio -o -H newc --quiet) >"$out/stubdom.cpio"
	stub_images="$out/stubdom.cpio $out/hvm.cpio.gz"
fi

# --- dom0 initramfs --------------------------------------------------------------------------
dom0=$out/dom0-root
rm -rf "$dom0"
base_root "$dom0"
install_modules "$dom0" "$dimg" "$dkver" $DOM0_MODS
depmod -b "$dom0" "$dkver"
for b in xl xenstored xenconsoled xen-init-dom0; do
	install_elf "$dom0" "$xu/usr/lib/xen-$xenv/bin/$b" "/usr/lib/xen-$xenv/bin/$b"
	ln -sf "/usr/lib/xen-$xenv/bin/$b" "$dom0/sbin/$b"
done
# xl dlopen()s libgcc_s for pthread_cancel; no NEEDED entry names it.
install_elf "$dom0" "$(find_lib libgcc_s.so.1)" /lib/x86_64-linux-gnu/libgcc_s.so.1
xs=$(deb_unpack xenstore-utils "$hsuite")
install_elf "$dom0" "$xs/usr/bin/xenstore" /usr/bin/xenstore
for c in read write rm ls list chmod exists watch; do ln -sf xenstore "$dom0/usr/bin/xenstore-$c"; done
mkdir -p "$dom0/etc/xen" "$dom0/var/lib/xen" "$dom0/var/log/xen/console" "$dom0/var/run/xen" \
	"$dom0/run/xen" "$dom0/run/xenstored" "$dom0/xpf"
# dom0_mem is fixed on Xen's command line: xl must not balloon dom0.
echo 'autoballoon="off"' >"$dom0/etc/xen/xl.conf"
install_elf "$dom0" "$bench" /xpf/xpf-bench # the bench floor's dom0 side (floor-echo)
cp "$BUILD/bench/floor-km-$dkver/xpf_floor_echo.ko" "$dom0/xpf/"
cp "$TOP/tests/xenhost/guest/dom0-init" "$dom0/init"
cp "$TOP"/tests/xenhost/guest/*.sh "$dom0/xpf/"
chmod +x "$dom0/init" "$dom0"/xpf/*.sh
# The rogue backend (tests/rogue/), built here against Debian's libxen-dev.
rogue=$BUILD/rogue/xpf-rogue
build_tool "$TOP/tests/rogue/xpf-rogue.c" "$rogue" -lxenstore -lxengnttab -lxenevtchn
install_elf "$dom0" "$rogue" /xpf/xpf-rogue
if [ -n "$stub_images" ]; then
	install_elf "$dom0" "$qemu$QEMU_DM" "$QEMU_DM"
	if [ "$host" = trixie ]; then
		# dom0's QEMU serves the stubdomain's consoles: QEMU 10 leaves console 0 undrained
		# and refuses console 2 without a -serial; a wrapper works around both
		# (guest/qemu-dm-trixie, docs/stubdomain.md).
		mv "$dom0$QEMU_DM" "$dom0$QEMU_DM.real"
		sed "s|@QEMU_DM@|$QEMU_DM|g" "$TOP/tests/xenhost/guest/qemu-dm-trixie" >"$dom0$QEMU_DM"
		chmod +x "$dom0$QEMU_DM"
	fi
	qemu_data "$dom0"
	mkdir -p "$dom0/usr/lib/xen-$xenv/boot"
	cp "$xu/usr/lib/xen-$xenv/boot/hvmloader" "$dom0/usr/lib/xen-$xenv/boot/"
	# libxl runs /usr/bin/vchan-socket-proxy; Debian installs it only under /usr/lib/xen-*/bin.
	install_elf "$dom0" "$xu/usr/lib/xen-$xenv/bin/vchan-socket-proxy" "/usr/lib/xen-$xenv/bin/vchan-socket-proxy"
	ln -sf "/usr/lib/xen-$xenv/bin/vchan-socket-proxy" "$dom0/usr/bin/vchan-socket-proxy"
	mkdir -p "$dom0/var/lib/xen/dump"
fi
cp "$out/domu-vmlinuz" "$dom0/xpf/vmlinuz"
cp "$out/domu.cpio.gz" $pkg_images $stub_images "$dom0/xpf/"
(cd "$dom0" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/dom0.cpio.gz"
echo "$fingerprint" >"$out/fingerprint"
say "images: Xen $xenv, dom0 on $dkver, driver domain on $kver, dom0 $(du -h "$out/dom0.cpio.gz" | cut -f1), domU $(du -h "$out/domu.cpio.gz" | cut -f1)"
