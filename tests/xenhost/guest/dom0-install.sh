# SPDX-License-Identifier: GPL-2.0
# The install scenario in dom0 (scenarios/install.toml; sourced by scenario.sh): driver domains
# booted from images with our package installed, then removed by dpkg (domu-install.sh).
DOMU_RAMDISK=domu-pkg.cpio.gz DOMU_PKG=installed
frontend=pkg
scenario_end() {
	domu_wrapup domU-installed
	# The same device, a new domain booted from the image where `dpkg -r` removed the package.
	DOMU=drv-removed DOMU_RAMDISK=domu-unpkg.cpio.gz DOMU_PKG=removed
	step domu-config-removed write_cfg &&
		step domu-create-removed create_domu &&
		domu_wrapup domU-removed
}
