/* SPDX-License-Identifier: GPL-2.0 */
/* What xen-pcifront-hotplug exports to the other modules of the set (namespace XEN_PCIFRONT_CXX). */
#ifndef XPF_HOTPLUG_H
#define XPF_HOTPLUG_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct xenbus_device;

/*
 * What a frontend lends the hotplug module for one round of the Reconfiguring / Reconfigured
 * handshake. The frontend serialises its rounds and switches its own xenbus state after each
 * call returns.
 */
struct xpf_hotplug_frontend {
	struct xenbus_device *xdev;
	/* Re-reads the backend's roots and scans them for new functions; 0 or -errno. */
	int (*rescan)(void *ctx);
	void *ctx;
};

/*
 * The backend is Reconfiguring: removes every device of ours that it lists as Closing, the
 * driver unbound first. 0, or a negative errno when the list or one of its entries was refused
 * (each logged); what could be identified was still done, so the caller answers either way.
 */
int xpf_hotplug_reconfiguring(const struct xpf_hotplug_frontend *fe);
/*
 * The backend is Reconfigured: rescans, then checks that every device it lists as exported to
 * us is on our buses. 0, or a negative errno (the rescan failed, a device did not appear).
 */
int xpf_hotplug_reconfigured(const struct xpf_hotplug_frontend *fe);

/* Reconfiguring handshakes handled since load: shown by the frontend's debugfs. */
uint64_t xpf_hotplug_reconfigurations(void);

KCXX_EXTERN_C_END

#endif /* XPF_HOTPLUG_H */
