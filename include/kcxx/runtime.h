/* SPDX-License-Identifier: GPL-2.0 */
/* Hooks of the C++ layer that the C shim implements: <linux/bug.h> in the kernel. */
#ifndef KCXX_RUNTIME_H
#define KCXX_RUNTIME_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

/*
 * Called when code tries to make an Error from something that is not a negative errno: a bug at
 * the call site. The kernel WARNs once; host tests count the calls.
 */
void kcxx_bad_errno(int value);
/*
 * The end of an escape hatch taken wrongly: BUG() in the kernel, abort() on the host. Not
 * declared noreturn: 6.1's objtool would take the call for a fall-through (see kbuild notes).
 */
void kcxx_bug(const char *why);

KCXX_EXTERN_C_END

#endif /* KCXX_RUNTIME_H */
