#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS package on this machine, for real (root; it installs and removes a package):
# `dpkg -i` builds and installs the module set for every kernel whose headers are installed
# (Debian 12's 6.1 and 6.12 here), the in-tree xen-pcifront is blacklisted for alias loading,
# and `dpkg -r` takes every file back out. Prints one PASS/FAIL line per check.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
name=xen-pcifront-cxx
fails=0
check() { # name command...
	local n=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "PASS $n: $(echo "$out" | tail -n 1)"
	else
		echo "FAIL $n: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
		fails=$((fails + 1))
	fi
}
[ "$(id -u)" = 0 ] || { echo "dkms.sh: installs a package: run as root" >&2; exit 1; }
command -v dkms >/dev/null || { echo "dkms.sh: dkms missing: apt-get install --no-install-recommends dkms (make deps)" >&2; exit 1; }
# XPF_DKMS_DEB: a package built elsewhere (tests/pkg/dkms-suite.sh runs this in a chroot).
if [ -n "${XPF_DKMS_DEB:-}" ]; then
	deb=$XPF_DKMS_DEB
else
	deb=$top/$("$top/scripts/deb.sh" | sed -n 's/^deb: //p' | head -n 1)
fi
ver=$(dpkg-deb -f "$deb" Version)
kernels=()
for b in /lib/modules/*/build; do
	[ -f "$b/Makefile" ] && { k=${b%/build}; kernels+=("${k##*/}"); }
done
[ ${#kernels[@]} -gt 0 ] || { echo "dkms.sh: no kernel headers installed (make deps)" >&2; exit 1; }
# What alias loading (udev: modprobe -b) would insert for the xenbus "pci" device of kernel $1:
# the modules' names, in order, once each (a softdep repeats one; modprobe -R lists every
# match, blacklisted or not).
by_alias() { modprobe -S "$1" -b -n -v xen:pci 2>/dev/null | sed -n 's|^insmod .*/\([^/]*\)\.ko.*|\1|p' | awk '!seen[$0]++' | tr '\n' ' '; }
alias_is() { # kernel expected-list
	local got
	got=$(by_alias "$1")
	[ "$got" = "$2" ] || { echo "xen:pci on $1 would load '$got', not '$2'"; return 1; }
	echo "xen:pci on $1 -> $got"
}

# A left-over from an interrupted run would make dpkg -i an upgrade: start clean.
dpkg -r "$name-dkms" >/dev/null 2>&1 || true
check dpkg-install sh -c "dpkg -i '$deb' >/tmp/xpf-dkms-install.log 2>&1 || { tail -n 20 /tmp/xpf-dkms-install.log; exit 1; }; echo '$name-dkms $ver installed'"
for k in "${kernels[@]}"; do
	check "dkms-installed-$k" sh -c "dkms status -m $name -v $ver -k $k | grep -q ': installed' && dkms status -m $name -v $ver -k $k"
	check "modules-$k" sh -c "for m in xen-pcifront-evtchn xen-pcifront-msi xen-pcifront-hotplug xen-pcifront-cxx; do
		f=\$(modinfo -k $k -F filename \$m) || exit 1; case \$f in */updates/dkms/*) ;; *) echo \"\$m: \$f\"; exit 1 ;; esac
		[ \"\$(modinfo -F vermagic \$f | cut -d' ' -f1)\" = $k ] || { echo \"\$f: vermagic \$(modinfo -F vermagic \$f)\"; exit 1; }
	done; echo 'four modules in updates/dkms, vermagic $k'"
	check "alias-ours-$k" alias_is "$k" "xen-pcifront-evtchn xen-pcifront-hotplug xen-pcifront-msi xen-pcifront-cxx "
done
# A kernel installed later: linux-headers' postinst runs DKMS's header_postinst.d hook for it.
# Played here on the last kernel: its build taken out, then the hook run as the upgrade does.
hook=/etc/kernel/header_postinst.d/dkms
last=${kernels[-1]}
if [ -x "$hook" ]; then
	# dkms 3 (Debian 13, sid) has unbuild; its remove -k drops the whole module when it was
	# built for this one kernel only. dkms 2 (Debian 12) has only remove -k.
	check "new-kernel-hook-$last" sh -c "{ dkms unbuild -m $name -v $ver -k $last >/dev/null 2>&1 ||
		dkms remove -m $name -v $ver -k $last >/dev/null; } &&
		! ls /lib/modules/$last/updates/dkms/xen-pcifront-cxx.ko* 2>/dev/null &&
		$hook $last >/tmp/xpf-dkms-hook.log 2>&1 &&
		dkms status -m $name -v $ver -k $last | grep -q ': installed' &&
		echo \"DKMS's kernel hook rebuilt the set for $last: \$(dkms status -m $name -v $ver -k $last)\" ||
		{ tail -n 5 /tmp/xpf-dkms-hook.log; exit 1; }"
else
	check "new-kernel-hook" sh -c "echo 'no $hook: the dkms package installs it'; false"
fi
check modprobe-conf sh -c "grep -x 'blacklist xen-pcifront' /lib/modprobe.d/$name.conf"
check dpkg-remove sh -c "dpkg -r $name-dkms >/tmp/xpf-dkms-remove.log 2>&1 || { tail -n 20 /tmp/xpf-dkms-remove.log; exit 1; }; echo removed"
check dkms-gone sh -c "[ -z \"\$(dkms status -m $name 2>/dev/null)\" ] && [ ! -e /usr/src/$name-$ver ] && echo 'no DKMS tree, no sources' || { dkms status -m $name; ls -d /usr/src/$name-$ver; exit 1; }"
check files-gone sh -c "left=\$(ls /lib/modules/*/updates/dkms/xen-pcifront-* /lib/modprobe.d/$name.conf 2>/dev/null); [ -z \"\$left\" ] && echo 'no modules, no modprobe.d file' || { echo \"left: \$left\"; exit 1; }"
for k in "${kernels[@]}"; do
	# The in-tree frontend again, where this kernel ships it as a module.
	if modinfo -k "$k" -F filename xen-pcifront >/dev/null 2>&1; then
		check "alias-intree-$k" alias_is "$k" "xen-pcifront "
	fi
done
echo "dkms: ${#kernels[@]} kernel(s) (${kernels[*]}); $fails check(s) failed"
[ $fails = 0 ]
