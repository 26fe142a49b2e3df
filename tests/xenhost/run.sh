#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One cell on the emulated Xen host (tests/xenhost/xenhost.py run):
#   run.sh [--scenario NAME] [--frontend intree|ours] [--topology iommu|noiommu] [--kver KVER]
#          [--pciback vpci|passthrough] [--host bookworm|trixie] [--cycles N] [--e820-host]
# The scenarios are tests/xenhost/scenarios/*.toml; the matrix is tests/xenhost/test_xenhost.py.
[ -x /usr/bin/python3 ] || { echo "run.sh: /usr/bin/python3 missing: apt-get install python3 (make deps)" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/xenhost.py" run "$@"
