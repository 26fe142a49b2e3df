/* SPDX-License-Identifier: GPL-2.0 */
/* What xen-pcifront-msi exports to the other modules of the set (namespace XEN_PCIFRONT_CXX). */
#ifndef XPF_MSI_H
#define XPF_MSI_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

/*
 * False while another frontend (the in-tree xen-pcifront) holds the x86 xen_pci_frontend hook;
 * our frontend then refuses to load, since two frontends cannot share the backend's page.
 */
bool xpf_msi_hook_free(void);

KCXX_EXTERN_C_END

#endif /* XPF_MSI_H */
