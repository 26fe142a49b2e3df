#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the newest installed Debian kernel ABI of a series, e.g. `kver.sh 6.1` -> 6.1.0-56-amd64.
set -euo pipefail
series=${1:?usage: kver.sh SERIES}
best=$( (ls -d /usr/src/linux-headers-"$series".*-amd64 2>/dev/null || true) | sed 's|.*/linux-headers-||' |
	sort -V | tail -n 1)
if [ -z "$best" ]; then
	echo "no linux-headers for the $series series in /usr/src: run 'make deps' as root" >&2
	exit 1
fi
echo "$best"
