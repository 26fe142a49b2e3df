/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xen-pcifront-hotplug exports to the other modules of the set (namespace
 * XEN_PCIFRONT_CXX). The frontend drives each Reconfiguring / Reconfigured round: it reads the
 * backend's device list once (num_devs, state-N, vdev-N, checked by lib/hotplug_list) and hands
 * it here; this module acts on it and counts, and never calls the frontend back. The frontend
 * serialises its rounds and switches its own xenbus state after each call returns.
 */
#ifndef XPF_HOTPLUG_H
#define XPF_HOTPLUG_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct xenbus_device;
/* The backend's device list as read and checked (lib/hotplug_list.hpp; opaque to C). */
struct xpf_hotplug_list;

#define XPF_HOTPLUG_MAX_DEVS 256
/* Which listed devices were on our buses before a rescan (xpf_hotplug_attach_begin). */
struct xpf_hotplug_seen {
	bool had[XPF_HOTPLUG_MAX_DEVS];
};

/*
 * The backend is Reconfiguring: removes every device of ours that @list names as Closing, the
 * driver unbound first. @list is NULL when it could not be read (@read_error says why): the
 * round is then refused as a whole. 0, or a negative errno when the list or one of its entries
 * was refused (each logged): the caller must not answer, so that pciback never resets a
 * device whose driver is still bound.
 */
int xpf_hotplug_detach(struct xenbus_device *xdev, const struct xpf_hotplug_list *list,
		       int read_error);
/* The backend is Reconfigured, before the frontend's rescan: notes which listed devices are
 * ours already into @seen (all false when @list is NULL). */
void xpf_hotplug_attach_begin(struct xenbus_device *xdev, const struct xpf_hotplug_list *list,
			      struct xpf_hotplug_seen *seen);
/*
 * After the rescan, whose result was @rescan_error: every device @list names as exported to us
 * must be on our buses now. 0, or a negative errno (the list unusable, the rescan failed, a
 * device did not appear), each logged.
 */
int xpf_hotplug_attach_end(struct xenbus_device *xdev, const struct xpf_hotplug_list *list,
			   int read_error, const struct xpf_hotplug_seen *seen, int rescan_error);

/* Reconfiguring handshakes handled since load: shown by the frontend's debugfs. */
uint64_t xpf_hotplug_reconfigurations(void);

KCXX_EXTERN_C_END

#endif /* XPF_HOTPLUG_H */
