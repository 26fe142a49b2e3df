# SPDX-License-Identifier: GPL-2.0
# Without an IOMMU libxl refuses PV passthrough ("passthrough not supported on this platform").
# These helpers do what libxl's PCI add does, by hand: the device is already bound to pciback
# (xen-pciback.hide); the domain config grants its I/O memory, I/O ports and irq; the backend
# and frontend xenstore nodes are written the way libxl writes them.

# Config lines granting the devices' resources: iomem (pfn,pages, hex), ioports, irqs.
noiommu_cfg() { # bdf... (0000:00:02.0)
	_iomem= _ioports= _irqs=
	for _b in "$@"; do
	_d=/sys/bus/pci/devices/$_b
	while read -r _start _end _flags; do
		[ "$_start" = 0x0000000000000000 ] && continue
		_s=$((_start)) _e=$((_end)) _f=$((_flags))
		if [ $((_f & 0x200)) -ne 0 ]; then
			_iomem="$_iomem\"$(printf '%x,%x' $((_s >> 12)) $(((_e - _s + 4096) >> 12)))\","
		elif [ $((_f & 0x100)) -ne 0 ]; then
			_ioports="$_ioports\"$(printf '%x-%x' $_s $_e)\","
		fi
	done <"$_d/resource"
	_irqs="$_irqs$(cat "$_d/irq"),"
	done
	echo "iomem=[${_iomem%,}]"
	echo "ioports=[${_ioports%,}]"
	echo "irqs=[${_irqs%,}]"
}

# Backend and frontend nodes for devices 0..N-1 of domain DOMID. libxl writes both directories
# and their permissions in one transaction; a shell cannot, and a running domain probes its
# frontend the moment the node appears, reading the backend's directory at once. So the parent
# directories get the permissions first (xenstored gives a node its parent's permissions, and
# neither driver probes a parent), then both directories are written in one xenstore-write (one
# transaction): pciback finds the frontend, the frontend can read the backend.
noiommu_attach() { # domid bdf...
	_domid=$1
	shift
	_n=$#
	_be=/local/domain/0/backend/pci/$_domid/0
	_fe=/local/domain/$_domid/device/pci/0
	xenstore-write "${_be%/0}" "" "${_fe%/0}" "" || return 1
	xenstore-chmod "${_be%/0}" n0 r"$_domid" || return 1
	xenstore-chmod "${_fe%/0}" n"$_domid" r0 || return 1
	set -- $(_i=0; for _bdf in "$@"; do
		echo "$_be/key-$_i $_bdf $_be/dev-$_i $_bdf"
		echo "$_be/opts-$_i msitranslate=0,power_mgmt=0,permissive=0,rdm_policy=strict"
		echo "$_be/state-$_i 1"
		_i=$((_i + 1))
	done; echo "$_be/num_devs $_i")
	xenstore-write \
		"$_fe/backend" "$_be" "$_fe/backend-id" 0 "$_fe/state" 1 \
		"$_be/frontend" "$_fe" "$_be/frontend-id" "$_domid" "$_be/online" 1 \
		"$_be/state" 1 "$_be/domain" "$(xl domname "$_domid")" "$@" || return 1
	xenstore-chmod -r "$_be" n0 r"$_domid" || return 1
	xenstore-chmod -r "$_fe" n"$_domid" r0 || return 1
	echo "pci backend/frontend nodes written for $_n device(s) -> domain $_domid"
}

# What libxl's `pci-attach` / `pci-detach` do on a running domain, by hand (they refuse without
# an IOMMU). The domain was created with the device's resources granted (noiommu_cfg) and
# passthrough="enabled". One device at a time: the first attach creates both directories, the
# last detach removes them, as libxl does.
be_state_is() { [ "$(xenstore-read "$1/state" 2>/dev/null)" = "$2" ]; }
noiommu_hot_attach() { # domid bdf
	_be=/local/domain/0/backend/pci/$1/0
	if ! xenstore-exists "$_be/num_devs" 2>/dev/null; then
		noiommu_attach "$1" "$2"
		return
	fi
	wait_for 30 "backend Connected" be_state_is "$_be" 4 >/dev/null || { echo "backend not Connected"; return 1; }
	_n=$(xenstore-read "$_be/num_devs") || return 1
	xenstore-write "$_be/key-$_n" "$2" "$_be/dev-$_n" "$2" \
		"$_be/opts-$_n" msitranslate=0,power_mgmt=0,permissive=0,rdm_policy=strict \
		"$_be/state-$_n" 1 "$_be/num_devs" $((_n + 1)) "$_be/state" 7 || return 1
	echo "device $_n ($2) added to the backend's list"
}
noiommu_hot_detach() { # domid bdf
	_be=/local/domain/0/backend/pci/$1/0
	_fe=/local/domain/$1/device/pci/0
	_n=$(xenstore-read "$_be/num_devs") || { echo "no backend for domain $1"; return 1; }
	_i=0
	while [ $_i -lt "$_n" ] && [ "$(xenstore-read "$_be/dev-$_i")" != "$2" ]; do _i=$((_i + 1)); done
	[ $_i -lt "$_n" ] || { echo "$2 is not attached to domain $1"; return 1; }
	[ $_i -eq $((_n - 1)) ] || { echo "only the last device can be detached by this helper"; return 1; }
	wait_for 30 "backend Connected" be_state_is "$_be" 4 >/dev/null || { echo "backend not Connected"; return 1; }
	xenstore-write "$_be/state-$_i" 5 "$_be/state" 7 || return 1
	wait_for 30 "backend Connected after the detach" be_state_is "$_be" 4 >/dev/null ||
		{ echo "backend did not come back to Connected (state $(xenstore-read "$_be/state"))"; return 1; }
	if [ "$_n" -eq 1 ]; then
		# As libxl: the backend's per-domain directory goes too.
		xenstore-rm "$_fe" "${_be%/0}" || return 1
	else
		xenstore-rm "$_be/state-$_i" "$_be/key-$_i" "$_be/dev-$_i" "$_be/vdev-$_i" "$_be/opts-$_i" || return 1
		xenstore-write "$_be/num_devs" $((_n - 1)) || return 1
	fi
	echo "device $_i ($2) detached from domain $1"
}
