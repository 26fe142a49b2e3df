# SPDX-License-Identifier: GPL-2.0
# The install scenario inside the driver domain (sourced by domu-init). The image was made on
# the host (images.sh): Debian's kmod as modprobe, and our modules package installed with dpkg
# (xpf_pkg=installed), or installed and removed again with `dpkg -r` (xpf_pkg=removed). Nothing
# is loaded by name here: modules come by alias, as udev loads them at boot (coldplug).
# busybox's sh is a standalone shell: a bare "modprobe" runs its own applet whatever PATH says.
# Debian's kmod, by path, as on a Debian system.
modprobe() { /sbin/modprobe "$@"; }
K=$(uname -r)
PKG=xen-pcifront-cxx-modules-$K
ours_modules() { grep -cE '^xen_pcifront_(cxx|evtchn|msi|hotplug) ' /proc/modules; }
intree_loaded() { grep -q '^xen_pcifront ' /proc/modules; }
pkg_status() { # the package's dpkg status line, or "not installed"
	awk -v p="$PKG" '$1 == "Package:" { cur = $2 } cur == p && $1 == "Status:" { print; f = 1 }
		END { if (!f) print "not installed" }' /var/lib/dpkg/status
}
modprobe_is_kmod() {
	modprobe --version 2>&1 | grep -q '^kmod version' ||
		{ echo "modprobe is not kmod's: $(modprobe --version 2>&1 | head -n 1)"; return 1; }
	echo "$(modprobe --version | head -n 1), reading /lib/modprobe.d"
}
package_state() {
	_s=$(pkg_status)
	_conf=$(ls /lib/modprobe.d/xen-pcifront-cxx*.conf 2>/dev/null)
	_ko=$(ls /lib/modules/$K/updates/xen-pcifront-cxx/*.ko 2>/dev/null | wc -l)
	if [ "$xpf_pkg" = installed ]; then
		[ "$_s" = "Status: install ok installed" ] && [ -n "$_conf" ] && [ "$_ko" = 4 ] ||
			{ echo "dpkg: '$_s', modprobe.d: '$_conf', $_ko modules"; return 1; }
		echo "$PKG: $_s; $_ko modules in updates/; $_conf: $(grep -v '^#' "$_conf")"
	else
		# dpkg keeps a removed package's postrm until a purge: "deinstall ok config-files".
		case "$_s" in "not installed" | *"deinstall ok config-files") _st=1 ;; *) _st= ;; esac
		[ -n "$_st" ] && [ -z "$_conf" ] && [ "$_ko" = 0 ] ||
			{ echo "after dpkg -r: dpkg: '$_s', modprobe.d: '$_conf', $_ko modules"; return 1; }
		echo "$PKG removed ($_s): no modules, no modprobe.d file"
	fi
}
# Which frontend the alias loaded: ours (all four modules) with the package, the in-tree one
# without it; never both.
frontend_by_alias() {
	coldplug
	if [ "$xpf_pkg" = installed ]; then
		wait_for 30 "our frontend" sh -c '[ "$(grep -cE "^xen_pcifront_(cxx|evtchn|msi|hotplug) " /proc/modules)" = 4 ]' >/dev/null ||
			{ echo "alias xen:pci loaded: $(grep -o '^xen_pcifront[a-z_]*' /proc/modules | tr '\n' ' ')"; return 1; }
		! intree_loaded || { echo "the in-tree xen_pcifront was loaded too (blacklist not applied)"; return 1; }
	else
		wait_for 30 "the in-tree frontend" intree_loaded >/dev/null ||
			{ echo "alias xen:pci loaded: $(grep -o '^xen_pcifront[a-z_]*' /proc/modules | tr '\n' ' ')"; return 1; }
		[ "$(ours_modules)" = 0 ] || { echo "our modules are loaded without the package"; return 1; }
	fi
	echo "alias $(cat /sys/bus/xen/devices/pci-0/modalias) -> $(grep -o '^xen_pcifront[a-z_]*' /proc/modules | tr '\n' ' ')(driver $(readlink /sys/bus/xen/devices/pci-0/driver | sed 's|.*/||'))"
}
nic_by_alias() {
	wait_for 60 "the passed-through e1000 on the PV PCI bus" nic_bdf >/dev/null || { echo "no e1000 on the PV PCI bus"; return 1; }
	BDF=$(nic_bdf)
	coldplug
	wait_for 30 "netdev on $BDF" nic_netdev >/dev/null || { echo "$BDF: no driver bound by alias $(cat /sys/bus/pci/devices/$BDF/modalias)"; return 1; }
	echo "$BDF $(cat /sys/bus/pci/devices/$BDF/modalias | cut -c1-40)... -> $(readlink /sys/bus/pci/devices/$BDF/driver | sed 's|.*/||'), netdev $(nic_netdev)"
}
# `modprobe -r` takes the whole set out in dependency order. A bound xenbus device pins its
# driver's module (xenbus core), so it is unbound first, as for any xenbus frontend.
modprobe_r() {
	echo pci-0 >/sys/bus/xen/drivers/pcifront-cxx/unbind || return 1
	_t0=$(cut -d' ' -f1 /proc/uptime)
	modprobe -r -v xen-pcifront-cxx >/tmp/modprobe-r.log 2>&1 || { cat /tmp/modprobe-r.log; return 1; }
	_t1=$(cut -d' ' -f1 /proc/uptime)
	sed 's/^/XPF-SHOW modprobe -r: /' /tmp/modprobe-r.log >/dev/console
	[ "$(ours_modules)" = 0 ] || { echo "still loaded: $(grep -E '^xen_pcifront' /proc/modules | cut -d' ' -f1-4 | tr '\n' ';') ($_t0 -> $_t1 s)"; return 1; }
	echo "modprobe -r xen-pcifront-cxx: all four modules unloaded ($_t0 -> $_t1 s)"
}

step modprobe-is-kmod modprobe_is_kmod || finish
step package-state package_state || finish
step frontend-by-alias frontend_by_alias || finish
step nic-by-alias nic_by_alias || finish
BDF=$(nic_bdf) # steps run in a subshell: what later steps need is found again here
IF=$(nic_netdev)
step link-up link_up || finish
step ping6-dom0 ping_dom0
if [ "$xpf_pkg" = installed ]; then
	# While ours is loaded the in-tree module cannot load at all, by name or from its file:
	# its init would take the MSI hook from under our devices.
	step intree-refused-while-ours-loaded sh -c '! /sbin/modprobe xen-pcifront 2>/dev/null && ! grep -q "^xen_pcifront " /proc/modules && dmesg | grep "refused the in-tree xen_pcifront" | tail -n 1'
	step modprobe-r modprobe_r
	# The coexistence rule (what the modload scenario checked before this one): the blacklist
	# stops alias loading only; loaded by name, the in-tree module takes the frontend hook, and
	# ours then refuses to load, saying why.
	step intree-by-name sh -c '/sbin/modprobe xen-pcifront && grep "^xen_pcifront " /proc/modules | cut -d" " -f1'
	step ours-refused-while-intree-loaded sh -c '! /sbin/modprobe xen-pcifront-cxx 2>/dev/null && ! grep -q "^xen_pcifront_cxx " /proc/modules && dmesg | grep "owns the PCI frontend hook" | tail -n 1'
	# modprobe loaded the three companions before the frontend refused: they go again.
	companions_out() {
		modprobe -r -a xen-pcifront-msi xen-pcifront-hotplug || return 1
		[ "$(ours_modules)" = 0 ] || { echo "still loaded: $(grep -o '^xen_pcifront_[a-z]*' /proc/modules | tr '\n' ' ')"; return 1; }
		echo "modprobe -r: the companions unloaded, evtchn with them"
	}
	step companions-unload companions_out
else
	# Kept apart for the host to compare with our frontend's baseline run (check.sh).
	lspci -vvv -s "${BDF#0000:}" 2>/dev/null | sed 's/^/XPF-LSPCI /'
fi
step dmesg-clean dmesg_clean
