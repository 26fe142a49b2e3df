/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of xen-pcifront-hotplug: called from the C glue, defined in C++. */
#ifndef XPF_XPF_HOTPLUG_ENTRY_H
#define XPF_XPF_HOTPLUG_ENTRY_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

int xpf_hotplug_init(void);
void xpf_hotplug_exit(void);

KCXX_EXTERN_C_END

#endif
