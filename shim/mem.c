// SPDX-License-Identifier: GPL-2.0
/* Shim for <linux/slab.h>. */
#include <linux/slab.h>

#include "kcxx/mem.h"

void *kcxx_kzalloc(size_t size, enum kcxx_gfp gfp)
{
	return kzalloc(size, gfp == KCXX_GFP_ATOMIC ? GFP_ATOMIC : GFP_KERNEL);
}

void kcxx_kfree(const void *p)
{
	kfree(p);
}

size_t kcxx_ksize(const void *p)
{
	return p ? ksize(p) : 0;
}
