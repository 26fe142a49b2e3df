#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the harness's shell helpers (tests/lib/common.sh), run by ctest, under the same
# `set -euo pipefail` the harness scripts run with: a helper that trips it ends the script here
# as it would end make check's summary.
source "$(dirname "$0")/common.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fails=0
# A helper called as a script's own statement (not inside $(...), where bash drops errexit):
# its output, then its script's exit status.
top() {
	bash -c 'source "$0"; "$@"; echo "rc=$?"' "$(dirname "$0")/common.sh" "$@" 2>&1 || echo "rc=$? (the script ended)"
}
expect() { # name got want
	if [ "$2" = "$3" ]; then echo "ok   $1"; else printf 'FAIL %s\n got: %s\nwant: %s\n' "$1" "$2" "$3"; fails=1; fi
}

# No retry at all (no directory, an empty one): the count is 0 and the script goes on.
expect "retry_report, no directory" "$(top retry_report "$t/none")" \
	"xenhost: 0 infrastructure retries (the TCG user-space flake or a stopped host)
rc=0"
mkdir "$t/r"
expect "retry_report, empty directory" "$(top retry_report "$t/r")" \
	"xenhost: 0 infrastructure retries (the TCG user-space flake or a stopped host)
rc=0"
echo "msi-ours-iommu: attempt 1: flake" >"$t/r/a.txt"
expect "retry_report, one" "$(top retry_report "$t/r")" \
	"xenhost: 1 infrastructure retry (the TCG user-space flake or a stopped host)
  retried: msi-ours-iommu: attempt 1: flake
rc=0"
printf '%s\n' "rogue-ours-iommu: attempt 1: x" "rogue-ours-iommu: attempt 2: y" >"$t/r/b.txt"
expect "retry_report, three in two files" "$(top retry_report "$t/r" | head -n 1)" \
	"xenhost: 3 infrastructure retries (the TCG user-space flake or a stopped host)"

# A kernel series with no headers installed: one line naming the fix, not a silent exit.
expect "kver.sh, a series without headers" "$("$(dirname "$0")/../../scripts/kver.sh" 0.0 2>&1; echo "rc=$?")" \
	"no linux-headers for the 0.0 series in /usr/src: run 'make deps' as root
rc=1"

# kernel_report: a kernel's bug report is found; the TCG flake's user-space lines are not.
printf '%s\n' "[ 14.6] exe[251]: segfault at 8 ip 0000000000433f4b" "XPF-STEP FAIL domU:x: Segmentation fault" >"$t/flake.txt"
expect "kernel_report, the flake alone" "$(top kernel_report "$t/flake.txt")" "rc=0"
printf '%s\n' "[ 8.9] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580" >>"$t/flake.txt"
expect "kernel_report, a BUG among the flake's lines" "$(top kernel_report "$t/flake.txt")" \
	"[ 8.9] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580
rc=0"
exit $fails
