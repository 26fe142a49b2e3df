# SPDX-License-Identifier: GPL-2.0
# Without an IOMMU libxl refuses PV passthrough ("passthrough not supported on this platform").
# These helpers do what libxl's PCI add does, by hand: the device is already bound to pciback
# (xen-pciback.hide); the domain config grants its I/O memory, I/O ports and irq; the backend
# and frontend xenstore nodes are written the way libxl writes them.

# Config lines granting the device's resources: iomem (pfn,pages, hex), ioports, irqs.
noiommu_cfg() { # bdf (0000:00:02.0)
	_d=/sys/bus/pci/devices/$1
	_iomem= _ioports=
	while read -r _start _end _flags; do
		[ "$_start" = 0x0000000000000000 ] && continue
		_s=$((_start)) _e=$((_end)) _f=$((_flags))
		if [ $((_f & 0x200)) -ne 0 ]; then
			_iomem="$_iomem\"$(printf '%x,%x' $((_s >> 12)) $(((_e - _s + 4096) >> 12)))\","
		elif [ $((_f & 0x100)) -ne 0 ]; then
			_ioports="$_ioports\"$(printf '%x-%x' $_s $_e)\","
		fi
	done <"$_d/resource"
	echo "iomem=[${_iomem%,}]"
	echo "ioports=[${_ioports%,}]"
	echo "irqs=[$(cat "$_d/irq")]"
}

# Backend and frontend nodes for device 0 of domain DOMID, written in one transaction per
# directory (pciback reads num_devs as soon as it sees the backend), then the permissions.
noiommu_attach() { # domid bdf
	_domid=$1 _bdf=$2
	_be=/local/domain/0/backend/pci/$_domid/0
	_fe=/local/domain/$_domid/device/pci/0
	xenstore-write \
		"$_fe/backend" "$_be" "$_fe/backend-id" 0 "$_fe/state" 1 || return 1
	xenstore-write \
		"$_be/frontend" "$_fe" "$_be/frontend-id" "$_domid" "$_be/online" 1 \
		"$_be/state" 1 "$_be/domain" "$(xl domname "$_domid")" \
		"$_be/key-0" "$_bdf" "$_be/dev-0" "$_bdf" \
		"$_be/opts-0" "msitranslate=0,power_mgmt=0,permissive=0,rdm_policy=strict" \
		"$_be/state-0" 1 "$_be/num_devs" 1 || return 1
	xenstore-chmod -r "$_be" n0 r"$_domid" || return 1
	xenstore-chmod -r "$_fe" n"$_domid" r0 || return 1
	echo "pci backend/frontend nodes written for $_bdf -> domain $_domid"
}
