/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <xen/grant_table.h>. */
#ifndef KCXX_GRANT_H
#define KCXX_GRANT_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

/* Grants @domid access to the page at @vaddr; a grant reference or a negative errno. */
int kcxx_gnttab_grant_page(uint16_t domid, const void *vaddr, bool readonly) KCXX_MUST_CHECK;
/* Ends access if the other end has unmapped it; false while it still has the page mapped. */
bool kcxx_gnttab_try_end_access(uint32_t ref);
/* Ends access now or, while still mapped, later in the grant table's deferred work. */
void kcxx_gnttab_end_access(uint32_t ref);

KCXX_EXTERN_C_END

#endif /* KCXX_GRANT_H */
