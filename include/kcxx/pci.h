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

KCXX_EXTERN_C_END

#endif /* KCXX_PCI_H */
