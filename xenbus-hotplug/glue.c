// SPDX-License-Identifier: GPL-2.0
/* Module glue of xen-pcifront-hotplug: module metadata and exports. */
#include <linux/init.h>
#include <linux/module.h>

#include "entry.h"
#include "xpf/hotplug.h"
#include "xpf/ns.h"


XPF_EXPORT(xpf_hotplug_reconfigurations);
XPF_EXPORT(xpf_hotplug_detach);
XPF_EXPORT(xpf_hotplug_attach_begin);
XPF_EXPORT(xpf_hotplug_attach_end);

static int __init xpf_hotplug_module_init(void)
{
	return xpf_hotplug_init();
}

static void __exit xpf_hotplug_module_exit(void)
{
	xpf_hotplug_exit();
}

module_init(xpf_hotplug_module_init);
module_exit(xpf_hotplug_module_exit);

MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("xen-pcifront-cxx developers");
MODULE_DESCRIPTION("Xen PCI frontend: xenbus PCI hotplug (xl pci-attach / pci-detach)");
XPF_IMPORT_NS();
