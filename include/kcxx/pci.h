/* SPDX-License-Identifier: GPL-2.0 */
/* Wraps <linux/pci.h>. */
#ifndef KCXX_PCI_H
#define KCXX_PCI_H

#include "kcxx/types.h"

KCXX_EXTERN_C_BEGIN

struct device;
struct pci_bus;
struct pci_dev;

/* Return values of pci_ops (PCIBIOS_*); shim/pci.c asserts that they match. */
enum kcxx_pcibios {
	KCXX_PCIBIOS_SUCCESSFUL = 0x00,
	KCXX_PCIBIOS_FUNC_NOT_SUPPORTED = 0x81,
	KCXX_PCIBIOS_BAD_VENDOR_ID = 0x83,
	KCXX_PCIBIOS_DEVICE_NOT_FOUND = 0x86,
	KCXX_PCIBIOS_BAD_REGISTER_NUMBER = 0x87,
	KCXX_PCIBIOS_SET_FAILED = 0x88,
	KCXX_PCIBIOS_BUFFER_TOO_SMALL = 0x89,
};

void kcxx_pci_lock_rescan_remove(void);
void kcxx_pci_unlock_rescan_remove(void);
struct pci_bus *kcxx_pci_find_bus(int domain, int busnr);
struct pci_dev *kcxx_pci_get_domain_bus_and_slot(int domain, unsigned int bus,
						 unsigned int devfn);
void kcxx_pci_dev_put(struct pci_dev *pdev);
const char *kcxx_pci_name(const struct pci_dev *pdev);
struct device *kcxx_pci_to_device(struct pci_dev *pdev);
int kcxx_pci_bus_domain_nr(const struct pci_bus *bus);
unsigned int kcxx_pci_bus_number(const struct pci_bus *bus);
void kcxx_pci_stop_and_remove_bus_device(struct pci_dev *pdev);
unsigned int kcxx_pci_devfn(const struct pci_dev *pdev);
struct pci_bus *kcxx_pci_dev_bus(struct pci_dev *pdev);

struct pci_ops;

/*
 * A root bus whose config accesses go through @ops, with @owner retrievable from the bus
 * (kcxx_pci_bus_owner). The shim allocates the x86 pci_sysdata and the bus-number resource and
 * scans like pci_scan_root_bus(); NULL on failure. Caller holds the rescan/remove lock.
 */
struct pci_bus *kcxx_pci_scan_root_bus(struct device *parent, int domain, unsigned int busnr,
				       struct pci_ops *ops, void *owner) KCXX_MUST_CHECK;
/* Only for a bus known to be one made here (pci_ops callbacks): it reads bus->sysdata. */
void *kcxx_pci_bus_owner(const struct pci_bus *bus);
/*
 * The device a root bus was created under (its host bridge's parent): a frontend's xenbus
 * device for the buses it made. Safe for any bus, unlike kcxx_pci_bus_owner().
 */
struct device *kcxx_pci_bus_host_parent(struct pci_bus *bus);
/*
 * Unbinds drivers, removes the devices, the bus and its host bridge, and frees what
 * kcxx_pci_scan_root_bus allocated. Caller holds the rescan/remove lock.
 */
void kcxx_pci_remove_root_bus(struct pci_bus *bus);
/* pci_get_slot(): a referenced device or NULL. */
struct pci_dev *kcxx_pci_get_slot(struct pci_bus *bus, unsigned int devfn);
struct pci_dev *kcxx_pci_scan_single_device(struct pci_bus *bus, unsigned int devfn);
/*
 * Sets @pdev's driver_override to @name (copied): from then on only a driver of that name may
 * bind it ("none": none may). For a device not added yet, or one the caller holds. 0 or -ENOMEM.
 */
int kcxx_pci_set_driver_override(struct pci_dev *pdev, const char *name) KCXX_MUST_CHECK;
void kcxx_pci_bus_add_devices(struct pci_bus *bus);
/* Calls @cb for every device below @bus until it returns non-zero. */
void kcxx_pci_walk_bus(struct pci_bus *bus, int (*cb)(struct pci_dev *pdev, void *data),
		       void *data);

/* PCI_NUM_RESOURCES: 17 with SR-IOV (CONFIG_PCI_IOV, as Debian's kernels), 11 without. */
int kcxx_pci_num_resources(void);
/* A BAR the backend configured (start and flags set) that no resource tree holds yet. */
bool kcxx_pci_resource_unclaimed(const struct pci_dev *pdev, int bar);
uint64_t kcxx_pci_resource_start(const struct pci_dev *pdev, int bar);
uint64_t kcxx_pci_resource_len(const struct pci_dev *pdev, int bar);
int kcxx_pci_claim_resource(struct pci_dev *pdev, int bar) KCXX_MUST_CHECK;

/*
 * MSI descriptors of @pdev. kcxx_pci_msi_indices(): the MSI-X table indices still without an
 * irq, for the x86 hook (the caller holds the descriptor lock); -E2BIG beyond @max.
 * kcxx_pci_msi_irqs(): the irqs bound to the device at domain:bus:devfn, or -ENODEV.
 */
int kcxx_pci_msi_indices(struct pci_dev *pdev, uint16_t *out, int max);
int kcxx_pci_msi_irqs(int domain, unsigned int bus, unsigned int devfn, int *irqs, int max);

/* Steps of PCI error recovery, as the backend asks for them (XEN_PCI_OP_aer_*). */
enum kcxx_pci_aer_step {
	KCXX_AER_ERROR_DETECTED,
	KCXX_AER_MMIO_ENABLED,
	KCXX_AER_SLOT_RESET,
	KCXX_AER_RESUME,
};
/*
 * Calls the bound driver's err_handler callback for @step under the device lock, as the PCI AER
 * core does. -ENODEV when no driver is bound, -EOPNOTSUPP when the driver has no such callback.
 * @result receives the pci_ers_result_t (PCI_ERS_RESULT_NONE for resume).
 */
int kcxx_pci_aer_call(struct pci_dev *pdev, enum kcxx_pci_aer_step step, uint32_t channel_state,
		      uint32_t *result) KCXX_MUST_CHECK;
/* pci_ers_result_t values (shim/pci.c asserts them). */
#define KCXX_PCI_ERS_RESULT_NONE 1
#define KCXX_PCI_ERS_RESULT_CAN_RECOVER 2
#define KCXX_PCI_ERS_RESULT_NEED_RESET 3
#define KCXX_PCI_ERS_RESULT_DISCONNECT 4
#define KCXX_PCI_ERS_RESULT_RECOVERED 5
#define KCXX_PCI_ERS_RESULT_NO_AER_DRIVER 6

/* xen-swiotlb for DMA from a PV domain (set up at boot on kernels that no longer export this). */
int kcxx_pci_xen_swiotlb_init_late(struct device *dev) KCXX_MUST_CHECK;
/*
 * Whether DMA from this PV domain goes through xen-swiotlb (the x86 dma_ops are Xen's). Without
 * it, a device's DMA uses guest frame numbers as bus addresses and reaches the wrong memory.
 */
bool kcxx_pci_xen_dma_ready(void);

KCXX_EXTERN_C_END

#endif /* KCXX_PCI_H */
