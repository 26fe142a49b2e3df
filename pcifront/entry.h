/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of xen-pcifront-cxx: called from the C glue, defined in C++. */
#ifndef XPF_XPF_FRONTEND_ENTRY_H
#define XPF_XPF_FRONTEND_ENTRY_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

int xpf_frontend_init(void);
void xpf_frontend_exit(void);

/* Module parameters, defined in glue.c. */
extern unsigned int xpf_op_timeout_ms;

KCXX_EXTERN_C_END

#endif
