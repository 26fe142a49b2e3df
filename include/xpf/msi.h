/* SPDX-License-Identifier: GPL-2.0 */
/* What xen-pcifront-msi exports to the other modules of the set (namespace XEN_PCIFRONT_CXX). */
#ifndef XPF_MSI_H
#define XPF_MSI_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct pci_dev;
struct xen_pci_op;

/*
 * False while another frontend (the in-tree xen-pcifront) holds the x86 xen_pci_frontend hook;
 * our frontend then refuses to load, since two frontends cannot share the backend's page.
 */
bool xpf_msi_hook_free(void);

/*
 * How MSI ops reach pciback: the frontend's op channel, through an interface the frontend
 * implements (C++ below; opaque to C).
 */
struct xpf_msi_transport;

/*
 * Installs our ops table in the x86 hook and routes MSI ops to @t until xpf_msi_detach(). Call
 * before the frontend adds devices (their drivers enable MSI at probe). -EBUSY: another
 * transport is attached; -EEXIST: another frontend holds the hook.
 */
int xpf_msi_attach(struct xpf_msi_transport *t) KCXX_MUST_CHECK;
/* Call after the frontend's devices are removed; waits for an MSI op in flight. */
void xpf_msi_detach(struct xpf_msi_transport *t);

KCXX_EXTERN_C_END

#ifdef __cplusplus
struct xpf_msi_transport {
	// Sends @req for @dev (a device on the frontend's own root buses) and copies the answer,
	// already checked to answer @req, into @reply: 0 or a negative errno (no answer, channel
	// not live, not our device). Process context, under xen-pcifront-msi's lock.
	virtual int msi_op(struct pci_dev *dev, const struct xen_pci_op &req,
			   struct xen_pci_op *reply) = 0;
	// For log lines and debugfs; valid while attached.
	virtual const char *msi_name() const = 0;

      protected:
	~xpf_msi_transport() = default; // not deleted through this interface
};
#endif

#endif /* XPF_MSI_H */
