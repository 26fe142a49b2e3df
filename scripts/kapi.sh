#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Kernel API differences the shims meet, detected from the headers the build sees (so a stable
# kernel that backports a change is handled like the release that made it), printed as -D flags
# for the C shims. Usage (from Kbuild): kapi.sh SRCTREE [OBJTREE]
h() { # a header under include/, or arch/x86/include/ for asm/...
	for t in "$src" "$obj"; do
		[ -f "$t/include/$1" ] && { echo "$t/include/$1"; return; }
		[ -f "$t/arch/x86/include/$1" ] && { echo "$t/arch/x86/include/$1"; return; }
	done
	echo /dev/null
}
has() { grep -qsE "$2" "$(h "$1")"; }
src=${1:?usage: kapi.sh SRCTREE [OBJTREE]}
obj=${2:-$1}
flags=
# 6.13: symbol namespaces are string literals (EXPORT_SYMBOL_NS_GPL(sym, "NS")).
has linux/module.h 'define MODULE_IMPORT_NS\(ns\)[[:space:]]+MODULE_INFO\(import_ns, ns\)' &&
	flags="$flags -DKCXX_NS_IS_STRING"
# 6.15: msi_lock_descs()/msi_unlock_descs() gave way to the msi_descs_lock guard.
has linux/msi.h 'DEFINE_LOCK_GUARD_1\(msi_descs_lock' && flags="$flags -DKCXX_MSI_DESCS_GUARD"
# 7.x: ktime_get_snapshot() is gone for ktime_get_snapshot_id(); .raw is now .monoraw.
has linux/timekeeping.h 'void ktime_get_snapshot_id\(clockid_t' &&
	flags="$flags -DKCXX_SNAPSHOT_ID"
has linux/timekeeping.h 'ktime_t[[:space:]]+monoraw;' && flags="$flags -DKCXX_SNAPSHOT_MONORAW"
# 2026 ("xen/xenbus: better handle backend crash"): xenbus_read_driver_state() takes the device,
# and a device whose backend vanished no longer switches state.
has xen/xenbus.h 'xenbus_read_driver_state\(const struct xenbus_device' &&
	flags="$flags -DKCXX_XENBUS_STATE_TAKES_DEV"
has xen/xenbus.h 'bool[[:space:]]+vanished;' && flags="$flags -DKCXX_XENBUS_VANISHED"
# Before 6.5 a PV domain's xen-swiotlb came up late, from pcifront (pci_xen_swiotlb_init_late);
# since 6.5 the kernel sets it up at boot and the call is gone.
has asm/xen/swiotlb-xen.h 'pci_xen_swiotlb_init_late\(void\)' && flags="$flags -DKCXX_XEN_SWIOTLB_LATE"
# 2026 (backported to 6.12.118): a device's driver_override lives in struct device, set with
# device_set_driver_override(); before, pci_dev had its own, set with driver_set_override().
has linux/device.h 'static inline int device_set_driver_override\(struct device' &&
	flags="$flags -DKCXX_DEVICE_DRIVER_OVERRIDE"
echo "$flags"
