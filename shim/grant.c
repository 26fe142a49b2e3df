// SPDX-License-Identifier: GPL-2.0
/* Shim for <xen/grant_table.h>. */
#include <xen/grant_table.h>
#include <xen/page.h>

#include "kcxx/grant.h"

int kcxx_gnttab_grant_page(uint16_t domid, const void *vaddr, bool readonly)
{
	return gnttab_grant_foreign_access(domid, virt_to_gfn(vaddr), readonly);
}

bool kcxx_gnttab_try_end_access(uint32_t ref)
{
	return gnttab_try_end_foreign_access(ref);
}

void kcxx_gnttab_end_access(uint32_t ref)
{
	gnttab_end_foreign_access(ref, NULL);
}
