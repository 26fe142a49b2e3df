// SPDX-License-Identifier: GPL-2.0
/* Module glue of xen-pcifront-evtchn: what only C can say (module metadata and exports). */
#include <linux/init.h>
#include <linux/module.h>

#include "entry.h"
#include "xpf/evtchn.h"


EXPORT_SYMBOL_NS_GPL(xpf_evtchn_track, XEN_PCIFRONT_CXX);
EXPORT_SYMBOL_NS_GPL(xpf_evtchn_untrack, XEN_PCIFRONT_CXX);
EXPORT_SYMBOL_NS_GPL(xpf_evtchn_count, XEN_PCIFRONT_CXX);
EXPORT_SYMBOL_NS_GPL(xpf_debugfs_root, XEN_PCIFRONT_CXX);
EXPORT_SYMBOL_NS_GPL(xpf_conn_park, XEN_PCIFRONT_CXX);
EXPORT_SYMBOL_NS_GPL(xpf_conn_unpark, XEN_PCIFRONT_CXX);
EXPORT_SYMBOL_NS_GPL(xpf_conn_close, XEN_PCIFRONT_CXX);

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
