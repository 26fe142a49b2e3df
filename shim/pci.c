// SPDX-License-Identifier: GPL-2.0
/* Shim for <linux/pci.h>. */
#include <linux/build_bug.h>
#include <linux/device.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <asm/dma-mapping.h>
#include <asm/pci.h>
#include <asm/xen/swiotlb-xen.h>

#include "kcxx/pci.h"

static_assert(KCXX_PCIBIOS_SUCCESSFUL == PCIBIOS_SUCCESSFUL &&
	      KCXX_PCIBIOS_FUNC_NOT_SUPPORTED == PCIBIOS_FUNC_NOT_SUPPORTED &&
	      KCXX_PCIBIOS_BAD_VENDOR_ID == PCIBIOS_BAD_VENDOR_ID &&
	      KCXX_PCIBIOS_DEVICE_NOT_FOUND == PCIBIOS_DEVICE_NOT_FOUND &&
	      KCXX_PCIBIOS_BAD_REGISTER_NUMBER == PCIBIOS_BAD_REGISTER_NUMBER &&
	      KCXX_PCIBIOS_SET_FAILED == PCIBIOS_SET_FAILED &&
	      KCXX_PCIBIOS_BUFFER_TOO_SMALL == PCIBIOS_BUFFER_TOO_SMALL);
static_assert(KCXX_PCI_ERS_RESULT_NONE == (__force int)PCI_ERS_RESULT_NONE &&
	      KCXX_PCI_ERS_RESULT_CAN_RECOVER == (__force int)PCI_ERS_RESULT_CAN_RECOVER &&
	      KCXX_PCI_ERS_RESULT_NEED_RESET == (__force int)PCI_ERS_RESULT_NEED_RESET &&
	      KCXX_PCI_ERS_RESULT_DISCONNECT == (__force int)PCI_ERS_RESULT_DISCONNECT &&
	      KCXX_PCI_ERS_RESULT_RECOVERED == (__force int)PCI_ERS_RESULT_RECOVERED &&
	      KCXX_PCI_ERS_RESULT_NO_AER_DRIVER == (__force int)PCI_ERS_RESULT_NO_AER_DRIVER);

/* What a root bus made here carries as bus->sysdata; freed with the bus. */
struct kcxx_pci_root {
	struct pci_sysdata sd; /* first: x86 reads bus->sysdata as a pci_sysdata */
	struct resource busn;
	void *owner;
};

void kcxx_pci_lock_rescan_remove(void)
{
	pci_lock_rescan_remove();
}

void kcxx_pci_unlock_rescan_remove(void)
{
	pci_unlock_rescan_remove();
}

struct pci_bus *kcxx_pci_find_bus(int domain, int busnr)
{
	return pci_find_bus(domain, busnr);
}

struct pci_dev *kcxx_pci_get_domain_bus_and_slot(int domain, unsigned int bus,
						 unsigned int devfn)
{
	return pci_get_domain_bus_and_slot(domain, bus, devfn);
}

void kcxx_pci_dev_put(struct pci_dev *pdev)
{
	pci_dev_put(pdev);
}

const char *kcxx_pci_name(const struct pci_dev *pdev)
{
	return pci_name(pdev);
}

struct device *kcxx_pci_to_device(struct pci_dev *pdev)
{
	return &pdev->dev;
}

int kcxx_pci_bus_domain_nr(const struct pci_bus *bus)
{
	return pci_domain_nr((struct pci_bus *)bus);
}

unsigned int kcxx_pci_bus_number(const struct pci_bus *bus)
{
	return bus->number;
}

void kcxx_pci_stop_and_remove_bus_device(struct pci_dev *pdev)
{
	pci_stop_and_remove_bus_device(pdev);
}

unsigned int kcxx_pci_devfn(const struct pci_dev *pdev)
{
	return pdev->devfn;
}

struct pci_bus *kcxx_pci_dev_bus(struct pci_dev *pdev)
{
	return pdev->bus;
}

struct pci_bus *kcxx_pci_scan_root_bus(struct device *parent, int domain, unsigned int busnr,
				       struct pci_ops *ops, void *owner)
{
	struct kcxx_pci_root *root = kzalloc(sizeof(*root), GFP_KERNEL);
	struct pci_bus *bus;
	LIST_HEAD(resources);

	if (!root)
		return NULL;
	/* The backend does not say which NUMA node the device sits on. */
	root->sd.node = first_online_node;
	root->sd.domain = domain;
	root->busn.name = "PCI busn (xen-pcifront-cxx)";
	root->busn.start = busnr;
	root->busn.end = 255;
	root->busn.flags = IORESOURCE_BUS;
	root->owner = owner;
	pci_add_resource(&resources, &ioport_resource);
	pci_add_resource(&resources, &iomem_resource);
	pci_add_resource(&resources, &root->busn);
	bus = pci_scan_root_bus(parent, busnr, ops, &root->sd, &resources);
	if (!bus) {
		pci_free_resource_list(&resources);
		kfree(root);
	}
	return bus;
}

void *kcxx_pci_bus_owner(const struct pci_bus *bus)
{
	return ((const struct kcxx_pci_root *)bus->sysdata)->owner;
}

struct device *kcxx_pci_bus_host_parent(struct pci_bus *bus)
{
	struct pci_host_bridge *bridge = pci_find_host_bridge(bus);

	return bridge ? bridge->dev.parent : NULL;
}

void kcxx_pci_remove_root_bus(struct pci_bus *bus)
{
	/*
	 * pci_remove_root_bus() deletes the host bridge but leaves the reference that
	 * pci_create_root_bus() registered it with; drop it last, after the bus (a child of the
	 * bridge in sysfs) is gone. The in-tree frontend unregisters the bridge first and WARNs.
	 */
	struct device *bridge = bus->bridge;
	struct kcxx_pci_root *root = bus->sysdata;

	pci_stop_root_bus(bus);
	pci_remove_root_bus(bus);
	put_device(bridge);
	kfree(root);
}

struct pci_dev *kcxx_pci_get_slot(struct pci_bus *bus, unsigned int devfn)
{
	return pci_get_slot(bus, devfn);
}

struct pci_dev *kcxx_pci_scan_single_device(struct pci_bus *bus, unsigned int devfn)
{
	return pci_scan_single_device(bus, devfn);
}

int kcxx_pci_set_driver_override(struct pci_dev *pdev, const char *name)
{
#ifdef KCXX_DEVICE_DRIVER_OVERRIDE /* scripts/kapi.sh: the override moved into struct device */
	return device_set_driver_override(&pdev->dev, name);
#else
	return driver_set_override(&pdev->dev, &pdev->driver_override, name, strlen(name));
#endif
}

void kcxx_pci_bus_add_devices(struct pci_bus *bus)
{
	pci_bus_add_devices(bus);
}

void kcxx_pci_walk_bus(struct pci_bus *bus, int (*cb)(struct pci_dev *pdev, void *data),
		       void *data)
{
	pci_walk_bus(bus, cb, data);
}

/* A config choice, not a constant C++ may assume (CONFIG_PCI_IOV adds the SR-IOV BARs). */
int kcxx_pci_num_resources(void)
{
	return PCI_NUM_RESOURCES;
}

bool kcxx_pci_resource_unclaimed(const struct pci_dev *pdev, int bar)
{
	const struct resource *r = &pdev->resource[bar];

	return !r->parent && r->start && r->flags;
}

uint64_t kcxx_pci_resource_start(const struct pci_dev *pdev, int bar)
{
	return pci_resource_start(pdev, bar);
}

uint64_t kcxx_pci_resource_len(const struct pci_dev *pdev, int bar)
{
	return pci_resource_len(pdev, bar);
}

int kcxx_pci_claim_resource(struct pci_dev *pdev, int bar)
{
	return pci_claim_resource(pdev, bar);
}

int kcxx_pci_aer_call(struct pci_dev *pdev, enum kcxx_pci_aer_step step, uint32_t channel_state,
		      uint32_t *result)
{
	const struct pci_error_handlers *eh;
	struct pci_driver *drv;
	int err = 0;

	*result = (__force uint32_t)PCI_ERS_RESULT_NONE;
	device_lock(&pdev->dev);
	drv = pdev->dev.driver ? to_pci_driver(pdev->dev.driver) : NULL;
	eh = drv ? drv->err_handler : NULL;
	if (!drv) {
		err = -ENODEV;
	} else if (!eh) {
		err = -EOPNOTSUPP;
	} else if (step == KCXX_AER_ERROR_DETECTED && eh->error_detected) {
		*result = (__force uint32_t)eh->error_detected(
			pdev, (__force pci_channel_state_t)channel_state);
	} else if (step == KCXX_AER_MMIO_ENABLED && eh->mmio_enabled) {
		*result = (__force uint32_t)eh->mmio_enabled(pdev);
	} else if (step == KCXX_AER_SLOT_RESET && eh->slot_reset) {
		*result = (__force uint32_t)eh->slot_reset(pdev);
	} else if (step == KCXX_AER_RESUME && eh->resume) {
		eh->resume(pdev);
	} else {
		err = -EOPNOTSUPP;
	}
	device_unlock(&pdev->dev);
	return err;
}

int kcxx_pci_xen_swiotlb_init_late(struct device *dev)
{
#ifdef KCXX_XEN_SWIOTLB_LATE /* scripts/kapi.sh */
	if (is_swiotlb_active(dev))
		return 0;
	return pci_xen_swiotlb_init_late();
#else
	/* Since 6.5 the kernel sets xen-swiotlb up at boot for PV domains with pcifront. */
	return 0;
#endif
}

bool kcxx_pci_xen_dma_ready(void)
{
	/* In a PV domain only xen-swiotlb sets the x86 dma_ops (pci_xen_swiotlb_init*). */
	return READ_ONCE(dma_ops) != NULL;
}

/*
 * MSI descriptors: the MSI core calls the x86 hook with the device's descriptor lock held, so
 * kcxx_pci_msi_indices() walks them without taking it; kcxx_pci_msi_irqs() runs outside the
 * hook and takes it.
 */
int kcxx_pci_msi_indices(struct pci_dev *pdev, uint16_t *out, int max)
{
	struct msi_desc *desc;
	int n = 0;

	msi_for_each_desc(desc, &pdev->dev, MSI_DESC_NOTASSOCIATED) {
		if (n >= max)
			return -E2BIG;
		out[n++] = desc->msi_index;
	}
	return n;
}

/* 6.15 replaced msi_lock_descs()/msi_unlock_descs() by the msi_descs_lock guard. */
static void kcxx_msi_descs_collect(struct pci_dev *pdev, int *irqs, int max, int *n)
{
	struct msi_desc *desc;

#ifdef KCXX_MSI_DESCS_GUARD
	guard(msi_descs_lock)(&pdev->dev);
#else
	msi_lock_descs(&pdev->dev);
#endif
	msi_for_each_desc(desc, &pdev->dev, MSI_DESC_ASSOCIATED) {
		if (*n < max)
			irqs[(*n)++] = desc->irq;
	}
#ifndef KCXX_MSI_DESCS_GUARD
	msi_unlock_descs(&pdev->dev);
#endif
}

int kcxx_pci_msi_irqs(int domain, unsigned int bus, unsigned int devfn, int *irqs, int max)
{
	struct pci_dev *pdev = pci_get_domain_bus_and_slot(domain, bus, devfn);
	int n = 0;

	if (!pdev)
		return -ENODEV;
	kcxx_msi_descs_collect(pdev, irqs, max, &n);
	pci_dev_put(pdev);
	return n;
}
