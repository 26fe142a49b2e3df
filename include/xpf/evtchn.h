/* SPDX-License-Identifier: GPL-2.0 */
/* What xen-pcifront-evtchn exports to the other modules of the set (namespace XEN_PCIFRONT_CXX). */
#ifndef XPF_EVTCHN_H
#define XPF_EVTCHN_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct dentry;

/* Values of pcifront::BindingKind. */
enum xpf_binding_kind {
	XPF_BINDING_OP_CHANNEL = 1,
	XPF_BINDING_INTX_PIRQ = 2,
	XPF_BINDING_MSI_PIRQ = 3,
	XPF_BINDING_MSIX_PIRQ = 4,
};

/* Records a binding; returns a handle for xpf_evtchn_untrack() or a negative errno. */
int xpf_evtchn_track(enum xpf_binding_kind kind, uint32_t evtchn, int irq, int pirq,
		     const char *owner) KCXX_MUST_CHECK;
int xpf_evtchn_untrack(int handle);
/* Live bindings: 0 when the module set holds nothing. */
int xpf_evtchn_count(void);
struct xenbus_device;

/*
 * A frontend's live connection to pciback, kept here while xen-pcifront-cxx is reloaded:
 * pciback cannot reconnect to a frontend that closed, so the page stays granted and mapped and
 * the event channel stays bound (with a handler of this module that only acknowledges events).
 */
struct xpf_conn {
	void *page;
	uint32_t gref;
	uint32_t port;
	int irq;
};
/* Keeps @conn for @xdev (and a reference to @xdev). -ENOSPC when the keeper is full. */
int xpf_conn_park(struct xenbus_device *xdev, const struct xpf_conn *conn) KCXX_MUST_CHECK;
/* Gives back what was parked for @xdev: -ENOENT when nothing was. */
int xpf_conn_unpark(struct xenbus_device *xdev, struct xpf_conn *conn) KCXX_MUST_CHECK;
/*
 * Ends what was parked for @xdev for good (Closed, channel closed, grant ended): for a kept
 * connection that cannot be taken over. -ENOENT when nothing was parked.
 */
int xpf_conn_close(struct xenbus_device *xdev);
/*
 * Ends the connections kept for devices that vanished since (their xenstore directory removed
 * or reset by the toolstack, the device unregistered), writing nothing to xenstore. Park and
 * unpark sweep too; the frontend sweeps when it probes a device. Returns how many were ended.
 */
int xpf_conn_sweep(void);

/* The module set's debugfs directory, /sys/kernel/debug/xen-pcifront-cxx (may be an ERR_PTR). */
struct dentry *xpf_debugfs_root(void);

KCXX_EXTERN_C_END

#endif /* XPF_EVTCHN_H */
