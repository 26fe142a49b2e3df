// SPDX-License-Identifier: GPL-2.0
/* Module glue of xen-pcifront-evtchn: what only C can say (module metadata and exports). */
#include <linux/init.h>
#include <linux/module.h>

#include "entry.h"
#include "xpf/evtchn.h"
#include "xpf/ns.h"


XPF_EXPORT(xpf_evtchn_track);
XPF_EXPORT(xpf_evtchn_untrack);
XPF_EXPORT(xpf_evtchn_count);
XPF_EXPORT(xpf_debugfs_root);
XPF_EXPORT(xpf_conn_park);
XPF_EXPORT(xpf_conn_unpark);
XPF_EXPORT(xpf_conn_close);
XPF_EXPORT(xpf_conn_sweep);

static int __init xpf_evtchn_module_init(void)
{
	return xpf_evtchn_init();
}

static void __exit xpf_evtchn_module_exit(void)
{
	xpf_evtchn_exit();
}

module_init(xpf_evtchn_module_init);
module_exit(xpf_evtchn_module_exit);

MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("xen-pcifront-cxx developers");
MODULE_DESCRIPTION("Xen PCI frontend: event-channel and pirq bookkeeping for the module set");
