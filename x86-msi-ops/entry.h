/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of xen-pcifront-msi: called from the C glue, defined in C++; and the hook. */
#ifndef XPF_XPF_MSI_ENTRY_H
#define XPF_XPF_MSI_ENTRY_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct pci_dev;

int xpf_msi_init(void);
void xpf_msi_exit(void);

/* The four x86 frontend ops, as the glue's table forwards them (@msix: MSI-X, else MSI). */
int xpf_msi_enable(struct pci_dev *dev, bool msix, int *vectors, int nvec);
void xpf_msi_disable(struct pci_dev *dev, bool msix);

/* The hook itself (glue.c): install only if free, remove only if ours. */
bool xpf_msi_hook_install(void);
void xpf_msi_hook_remove(void);

KCXX_EXTERN_C_END

#endif
