// SPDX-License-Identifier: GPL-2.0
/* Module glue of xen-pcifront-cxx: module metadata, parameters and the C tables the kernel calls. */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <xen/xenbus.h>

#include "entry.h"
#include "xpf/ns.h"

/* Read by the C++ side; declared there with C linkage. */
unsigned int xpf_op_timeout_ms = 2000;
module_param_named(op_timeout_ms, xpf_op_timeout_ms, uint, 0444);
MODULE_PARM_DESC(op_timeout_ms,
		 "How long a config op waits for the backend before failing (ms, 10..5000)");
bool xpf_config_cache = true;
module_param_named(config_cache, xpf_config_cache, bool, 0644);
MODULE_PARM_DESC(config_cache,
		 "Answer reads of read-only config registers (class, header type, capability headers; "
		 "never the IDs) from a per-device cache (default on; 0: every read goes to the backend)");
unsigned int xpf_op_spin_us = 2000;
module_param_named(op_spin_us, xpf_op_spin_us, uint, 0444);
MODULE_PARM_DESC(op_spin_us,
		 "How long a config op polls for the reply before blocking on its event (us, 0..100000)");

/*
 * Called in any context, atomic included: x86 has PCI_LOCKLESS_CONFIG, so the PCI core calls
 * these without pci_lock, and drivers may read config space with a spinlock held or from an
 * interrupt handler.
 */
static int xpf_pci_read(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 *val)
{
	return xpf_fe_conf_read(bus, devfn, where, size, val);
}

static int xpf_pci_write(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 val)
{
	return xpf_fe_conf_write(bus, devfn, where, size, val);
}

struct pci_ops xpf_pci_ops = {
	.read = xpf_pci_read,
	.write = xpf_pci_write,
};

static int xpf_xenbus_probe(struct xenbus_device *xdev, const struct xenbus_device_id *id)
{
	return xpf_fe_probe(xdev);
}

static void xpf_xenbus_remove(struct xenbus_device *xdev)
{
	xpf_fe_remove(xdev);
}

static void xpf_xenbus_otherend_changed(struct xenbus_device *xdev, enum xenbus_state state)
{
	xpf_fe_otherend_changed(xdev, state);
}

static const struct xenbus_device_id xpf_xenbus_ids[] = {
	{ "pci" },
	{ "" },
};

static struct xenbus_driver xpf_xenbus_driver = {
	.name = "pcifront-cxx",
	.ids = xpf_xenbus_ids,
	.probe = xpf_xenbus_probe,
	.remove = xpf_xenbus_remove,
	.otherend_changed = xpf_xenbus_otherend_changed,
	/*
	 * pciback cannot reconnect to a frontend that went Closed, so an unbind (before rmmod)
	 * must not write Closed: remove either keeps the connection for the next load or closes
	 * it itself (frontend.cpp, Frontend::remove).
	 */
	.allow_rebind = true,
};

int xpf_register_xenbus_driver(void)
{
	return xenbus_register_frontend(&xpf_xenbus_driver);
}

void xpf_unregister_xenbus_driver(void)
{
	xenbus_unregister_driver(&xpf_xenbus_driver);
}

static int __init xpf_frontend_module_init(void)
{
	return xpf_frontend_init();
}

static void __exit xpf_frontend_module_exit(void)
{
	xpf_frontend_exit();
}

module_init(xpf_frontend_module_init);
module_exit(xpf_frontend_module_exit);

MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("xen-pcifront-cxx developers");
MODULE_DESCRIPTION("Xen PCI frontend in C++: PCI passthrough for PV driver domains");
XPF_IMPORT_NS();
/* The xenbus core's uevent for a "pci" device: modprobe (udev) loads us for it. The in-tree
 * xen-pcifront has the same alias; the package's modprobe.d file blacklists that one. */
MODULE_ALIAS("xen:pci");
/* For `modprobe -r xen-pcifront-cxx`: kmod 30 tries our dependencies in the reverse of the
 * modules.dep order, so it meets xen-pcifront-evtchn while -msi and -hotplug still hold it, and
 * leaves it loaded (with a kept connection, if any). A pre softdep is removed after the rest. */
MODULE_SOFTDEP("pre: xen-pcifront-evtchn");
