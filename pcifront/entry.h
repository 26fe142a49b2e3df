/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of xen-pcifront-cxx: called from the C glue, defined in C++. */
#ifndef XPF_XPF_FRONTEND_ENTRY_H
#define XPF_XPF_FRONTEND_ENTRY_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct pci_bus;
struct pci_ops;
struct xenbus_device;

int xpf_frontend_init(void);
void xpf_frontend_exit(void);

/* The xenbus driver's callbacks (glue.c holds the struct xenbus_driver). */
int xpf_fe_probe(struct xenbus_device *xdev);
void xpf_fe_remove(struct xenbus_device *xdev);
void xpf_fe_otherend_changed(struct xenbus_device *xdev, int backend_state);

/* Live frontend objects and root buses (debugfs "objects"). */
void xpf_fe_objects(long *frontends, long *roots);

/* pci_ops of our root buses (glue.c holds the struct pci_ops): PCIBIOS_* results. */
int xpf_fe_conf_read(struct pci_bus *bus, unsigned int devfn, int where, int size, uint32_t *val);
int xpf_fe_conf_write(struct pci_bus *bus, unsigned int devfn, int where, int size, uint32_t val);

/* Defined in glue.c. */
extern struct pci_ops xpf_pci_ops;
int xpf_register_xenbus_driver(void) KCXX_MUST_CHECK;
void xpf_unregister_xenbus_driver(void);

/* Module parameters, defined in glue.c. */
extern unsigned int xpf_op_timeout_ms;
extern unsigned int xpf_op_spin_us;
extern bool xpf_config_cache;

KCXX_EXTERN_C_END

#endif
