# SPDX-License-Identifier: GPL-2.0
# The vanish scenario in dom0 (scenarios/vanish.toml; sourced by scenario.sh): dom0 removes the
# frontend's xenstore directory under a bound device.
scenario_run() {
	# The toolstack's answer to a dead backend domain: the frontend's xenstore directory is
	# removed under a bound driver (libxl does so when the backend cannot close). The driver
	# domain must drop its devices, keep no connection, and write nothing there again: the
	# directory may already be a new device's (2026 kernels: xenbus_device.vanished).
	VN_FE=/local/domain/$DOMID/device/pci/0
	vn_remove() {
		xenstore-exists "$VN_FE" || { echo "no $VN_FE"; return 1; }
		xenstore-rm "$VN_FE" || { echo "xenstore-rm $VN_FE failed"; return 1; }
		echo "removed $VN_FE with the driver domain's e1000 bound"
	}
	vn_untouched() {
		sleep 5
		if xenstore-exists "$VN_FE"; then
			echo "$VN_FE was written again after its removal: $(xenstore-ls "$VN_FE" 2>&1 | head -n 3 | tr '\n' ' ')"
			return 1
		fi
		echo "$VN_FE still absent 5 s after the driver domain dropped the device"
	}
	step domu-ready-vanish wait_domu 300 "the driver domain's e1000 bound and pinging" XPF-VN-READY &&
		XPF_NO_RERUN=1 step dom0-vanish-remove vn_remove &&
		step domu-saw-vanish wait_domu 200 "the driver domain's check" XPF-VN-SEEN &&
		step dom0-frontend-dir-untouched vn_untouched || handshake_failed=1
}
