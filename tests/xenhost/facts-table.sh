#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A scenario side by side: each FACT the driver domain recorded (tests/xenhost/guest/domu-msi.sh,
# domu-hotplug.sh), as seen with the in-tree frontend and with ours, with and without an IOMMU.
#   facts-table.sh [msi|hotplug]   (reads build/xenhost/runs/<scenario>-*/domu-show.txt)
source "$(dirname "$0")/../lib/common.sh"
sc=${1:-msi}
# The in-tree frontend first, then ours in each topology (and pciback mode) that was run.
runs=($sc-intree-iommu $sc-ours-iommu $sc-ours-noiommu)
for d in "$BUILD"/xenhost/runs/$sc-*; do
	r=${d##*/}
	case " ${runs[*]} " in *" $r "*) ;; *) [ -f "$d/domu-show.txt" ] && runs+=("$r") ;; esac
done
declare -A have
for r in "${runs[@]}"; do
	f=$BUILD/xenhost/runs/$r/domu-show.txt
	[ -f "$f" ] && have[$r]=$f
done
[ ${#have[@]} -gt 0 ] || die "no $sc runs under $BUILD/xenhost/runs: run tests/xenhost/run.sh --scenario $sc first"
# Fact names in the order the runs recorded them (a fact only a later run has comes after the
# others).
names=$(for r in "${runs[@]}"; do if [ -n "${have[$r]:-}" ]; then cat "${have[$r]}"; fi; done |
	sed -n 's/^  domU| FACT \([^:]*\):.*/\1/p' | awk '!seen[$0]++')
printf '%-32s' fact
for r in "${runs[@]}"; do printf ' | %-24s' "${r#"$sc"-}"; done
echo
echo "$names" | while read -r name; do
	# Reload rounds 2..5 repeat round 1, and hotplug cycles 2 and 3 repeat cycle 1: the
	# table shows the first and the last.
	case "$name" in *-[234]) continue ;; esac
	printf '%-32s' "$name"
	for r in "${runs[@]}"; do
		v=-
		[ -n "${have[$r]:-}" ] && v=$(sed -n "s/^  domU| FACT $name: \([a-z]*\) \(.*\)/\1 \2/p" "${have[$r]}" | head -n 1 | cut -c1-24)
		printf ' | %-24s' "${v:--}"
	done
	echo
done
