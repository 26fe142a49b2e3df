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

# A kernel series with no headers installed: one line naming the fix, not a silent exit.
expect "kver.sh, a series without headers" "$("$(dirname "$0")/../../scripts/kver.sh" 0.0 2>&1; echo "rc=$?")" \
	"no linux-headers for the 0.0 series in /usr/src: run 'make deps' as root
rc=1"

# The suites' chroot day is pinned by XPF_SUITE_DAY: a run past midnight keeps the chroot its
# modules were built in (a fresh one would be made, and the old one, with them, removed).
mkdir -p "$t/chroots/trixie-20991231"
touch "$t/chroots/trixie-20991231/.xpf-ready"
expect "suite.sh, the pinned day's chroot" \
	"$(XPF_CHROOT_DIR=$t/chroots XPF_SUITE_DAY=20991231 "$(dirname "$0")/../../scripts/suite.sh" root trixie 2>&1)" \
	"$t/chroots/trixie-20991231"
expect "suite.sh, a pin that is no day" \
	"$(XPF_CHROOT_DIR=$t/chroots XPF_SUITE_DAY=tomorrow "$(dirname "$0")/../../scripts/suite.sh" root trixie 2>&1; echo "rc=$?")" \
	"suite.sh: XPF_SUITE_DAY 'tomorrow' is not a day (YYYYMMDD)
rc=2"
# make pins the day itself when the caller did not (`export XPF_SUITE_DAY ?= ...`), and its
# $(shell suite.sh kver) must see that pin: GNU make 4.3 does not pass exported variables to
# $(shell), so a make that started a second before midnight asked for the next day's chroot.
# The pin is given here on make's command line, not in its environment; an unpinned call would
# make a chroot for today (a mirror that answers nothing makes that fail fast).
mkdir -p "$t/chroots/trixie-20991231/usr/src/linux-headers-9.9.9+deb13-amd64"
expect "make, the pinned day reaches suite.sh kver" \
	"$(env -u XPF_SUITE_DAY -u MAKEFLAGS -u MAKELEVEL -u KVER -u KDIR -u KSERIES \
		XPF_CHROOT_DIR="$t/chroots" XPF_DEBIAN_MIRROR=http://127.0.0.1:9/debian \
		make -s -n --no-print-directory -C "$(dirname "$0")/../.." modules SUITE=trixie \
		XPF_SUITE_DAY=20991231 2>/dev/null | grep -o 'kbuild.sh "[^"]*"')" \
	'kbuild.sh "9.9.9+deb13-amd64"'

exit $fails
