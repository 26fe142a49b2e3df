// SPDX-License-Identifier: GPL-2.0
/* Module glue of xen-pcifront-msi: module metadata, exports, and the x86 hook it owns. */
#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/string.h>
#include <linux/pci.h>
#include <asm/xen/pci.h>

#include "entry.h"
#include "xpf/msi.h"
#include "xpf/ns.h"

static int xpf_hook_enable_msi(struct pci_dev *dev, int vectors[])
{
	return xpf_msi_enable(dev, false, vectors, 1);
}

static int xpf_hook_enable_msix(struct pci_dev *dev, int vectors[], int nvec)
{
	return xpf_msi_enable(dev, true, vectors, nvec);
}

static void xpf_hook_disable_msi(struct pci_dev *dev)
{
	xpf_msi_disable(dev, false);
}

static void xpf_hook_disable_msix(struct pci_dev *dev)
{
	xpf_msi_disable(dev, true);
}

static struct xen_pci_frontend_ops xpf_hook_ops = {
	.enable_msi = xpf_hook_enable_msi,
	.disable_msi = xpf_hook_disable_msi,
	.enable_msix = xpf_hook_enable_msix,
	.disable_msix = xpf_hook_disable_msix,
};

/* xen_pci_frontend is a bare exported pointer with no register API: whoever set it owns it. */
bool xpf_msi_hook_free(void)
{
	return READ_ONCE(xen_pci_frontend) == NULL;
}
XPF_EXPORT(xpf_msi_hook_free);

bool xpf_msi_hook_install(void)
{
	return cmpxchg(&xen_pci_frontend, NULL, &xpf_hook_ops) == NULL;
}

void xpf_msi_hook_remove(void)
{
	cmpxchg(&xen_pci_frontend, &xpf_hook_ops, NULL);
}

XPF_EXPORT(xpf_msi_attach);
XPF_EXPORT(xpf_msi_detach);

/*
 * The in-tree frontend's init assigns xen_pci_frontend unconditionally: loaded beside us (by
 * name, or insmod of its file: a blacklist stops neither), it would take the hook from under
 * our devices, and its MSI ops would read our root buses' sysdata as its own structure. So its
 * load is refused while this module is loaded: a module notifier can veto MODULE_STATE_COMING
 * before the module's init runs.
 */
static int xpf_module_event(struct notifier_block *nb, unsigned long action, void *data)
{
	const struct module *mod = data;

	if (action != MODULE_STATE_COMING || strcmp(mod->name, "xen_pcifront"))
		return NOTIFY_DONE;
	pr_err("xen-pcifront-msi: refused the in-tree xen_pcifront: xen-pcifront-cxx drives this "
	       "domain's PCI frontend and owns its MSI hook. To use the in-tree one, unload ours "
	       "first (modprobe -r xen-pcifront-cxx)\n");
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block xpf_module_nb = {
	.notifier_call = xpf_module_event,
};

static int __init xpf_msi_module_init(void)
{
	int err = xpf_msi_init();

	if (err)
		return err;
	err = register_module_notifier(&xpf_module_nb);
	if (err)
		xpf_msi_exit();
	return err;
}

static void __exit xpf_msi_module_exit(void)
{
	unregister_module_notifier(&xpf_module_nb);
	xpf_msi_exit();
}

module_init(xpf_msi_module_init);
module_exit(xpf_msi_module_exit);

MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("xen-pcifront-cxx developers");
MODULE_DESCRIPTION("Xen PCI frontend: MSI and MSI-X through the x86 xen_pci_frontend hook");
XPF_IMPORT_NS();
