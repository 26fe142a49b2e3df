#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fails if a module or C++ object carries what kernel C++ must not: exception, RTTI or
# static-constructor machinery that nothing in a module would run or resolve.
set -euo pipefail
bad=0
for f in "$@"; do
	syms=$(nm "$f" | grep -E '__cxa_|_Unwind_|__gxx_personality|typeinfo|_ZTI|_ZTS|__dso_handle' || true)
	if [ -n "$syms" ]; then
		echo "check-ko: $f has forbidden C++ runtime symbols:" >&2
		echo "$syms" | sed 's/^/    /' >&2
		bad=1
	fi
	secs=$(readelf -S -W "$f" | grep -oE '\.(init_array|fini_array|ctors|dtors|eh_frame|gcc_except_table)[^ ]*' || true)
	if [ -n "$secs" ]; then
		echo "check-ko: $f has forbidden sections: $(echo $secs)" >&2
		bad=1
	fi
done
exit $bad
