/* SPDX-License-Identifier: GPL-2.0 */
/* What xen-pcifront-hotplug exports to the other modules of the set (namespace XEN_PCIFRONT_CXX). */
#ifndef XPF_HOTPLUG_H
#define XPF_HOTPLUG_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

/* Reconfiguring handshakes handled since load: shown by the frontend's debugfs. */
uint64_t xpf_hotplug_reconfigurations(void);

KCXX_EXTERN_C_END

#endif /* XPF_HOTPLUG_H */
