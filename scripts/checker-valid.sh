#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Kernel 7.0's Makefile runs scripts/checker-valid.sh CHECK CHECKFLAGS... and keeps C=1/C=2
# only if it prints 1. Debian's headers packages lack it; scripts/kbuild.sh installs this one
# there. It prints 1 when the checker exists and checks a small C file cleanly.
command -v "$1" >/dev/null 2>&1 || exit 0
tmp=$(mktemp --suffix=.c) || exit 0
trap 'rm -f "$tmp"' EXIT
printf 'static inline int f(int x) { return x + 1; }\nint g(void);\nint g(void) { return f(1); }\n' >"$tmp"
"$@" "$tmp" >/dev/null 2>&1 && echo 1
exit 0
