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
/* The module set's debugfs directory, /sys/kernel/debug/xen-pcifront-cxx (may be an ERR_PTR). */
struct dentry *xpf_debugfs_root(void);

KCXX_EXTERN_C_END

#endif /* XPF_EVTCHN_H */
