# SPDX-License-Identifier: GPL-2.0
# The stubreboot scenario in dom0 (scenarios/stubreboot.toml; sourced by scenario.sh).
# The stubdom scenario with the guest restarted (stubdom.sh reads the scenario's name).
. /xpf/dom0-stubdom.sh
