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
	# The module loader makes one sysfs file per allocated section's name and refuses a
	# module with two of one name.
	case $f in *.ko)
		dups=$(readelf -S -W "$f" | sed -n 's/^ *\[ *[0-9]*\] //p' |
			awk 'NF >= 10 && $7 ~ /A/ {print $1}' | sort | uniq -d)
		if [ -n "$dups" ]; then
			echo "check-ko: $f has sections of the same name (the loader refuses it): $(echo $dups)" >&2
			bad=1
		fi ;;
	esac
done
exit $bad
