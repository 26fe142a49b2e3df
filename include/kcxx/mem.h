/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <linux/slab.h>. */
#ifndef KCXX_MEM_H
#define KCXX_MEM_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

enum kcxx_gfp {
	KCXX_GFP_KERNEL, /* may sleep */
	KCXX_GFP_ATOMIC, /* under a spinlock or in an interrupt */
};

void *kcxx_kzalloc(size_t size, enum kcxx_gfp gfp) KCXX_MUST_CHECK;
void kcxx_kfree(const void *p);
/* Size of the slab object behind @p (ksize): for the per-device memory accounting. */
size_t kcxx_ksize(const void *p);

KCXX_EXTERN_C_END

#endif /* KCXX_MEM_H */
