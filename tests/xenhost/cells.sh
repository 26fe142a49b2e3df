#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The emulated-host matrix through pytest (tests/xenhost/test_xenhost.py), one host at a time.
#   cells.sh check|matrix|extra|compare [pytest arguments, e.g. -k baseline]
# extra: what matrix adds to check, for a tree whose make check passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# One day for the suites' chroots over the whole run (scripts/suite.sh), even past midnight.
export XPF_SUITE_DAY=${XPF_SUITE_DAY:-$(date -u +%Y%m%d)}
/usr/bin/python3 -c 'import pytest' 2>/dev/null ||
	{ echo "cells.sh: Debian's pytest is missing: apt-get install python3-pytest (make deps)" >&2; exit 2; }
which=${1:-check}
shift || true
# -s: each cell's steps stream as they happen; -rfE: the failed cells, by name, at the end.
exec /usr/bin/python3 -m pytest "$here/test_xenhost.py" --cells "$which" --rootdir "$here" \
	-p no:cacheprovider -v -s -rfE "$@"
