# SPDX-License-Identifier: GPL-2.0
# The stubdom scenario in dom0 (scenarios/stubdom.toml; sourced by scenario.sh).
# An HVM guest whose device model runs in a PV Linux stubdomain with the frontend (stubdom.sh),
# in place of a driver domain.
scenario_instead() {
	. /xpf/stubdom.sh
	step dom0-dmesg-clean dmesg_clean
	exit 0
}
