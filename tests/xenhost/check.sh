#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The emulated-host scenarios `make check` runs. The baseline runs first with the in-tree
# xen-pcifront in both topologies, proving the harness independently of our code; then our
# module set in a real PV driver domain.   Usage: check.sh [KVER]
source "$(dirname "$0")/../lib/common.sh"
kver=${1:-$("$TOP/scripts/kver.sh" 6.1)}
runs=(
	"baseline intree iommu"
	"baseline intree noiommu"
	"modload ours iommu"
)
failed=0
summary=()
for r in "${runs[@]}"; do
	set -- $r
	if "$TOP/tests/xenhost/run.sh" --scenario "$1" --frontend "$2" --topology "$3" --kver "$kver"; then
		summary+=("PASS $1/$2/$3")
	else
		summary+=("FAIL $1/$2/$3")
		failed=1
	fi
done
echo "xenhost scenarios:"
printf '  %s\n' "${summary[@]}"
exit $failed
