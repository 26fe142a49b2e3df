// SPDX-License-Identifier: GPL-2.0
/* Shim for <linux/pci.h>. */
#include <linux/build_bug.h>
#include <linux/pci.h>

#include "kcxx/pci.h"

static_assert(KCXX_PCIBIOS_SUCCESSFUL == PCIBIOS_SUCCESSFUL &&
	      KCXX_PCIBIOS_FUNC_NOT_SUPPORTED == PCIBIOS_FUNC_NOT_SUPPORTED &&
	      KCXX_PCIBIOS_BAD_VENDOR_ID == PCIBIOS_BAD_VENDOR_ID &&
	      KCXX_PCIBIOS_DEVICE_NOT_FOUND == PCIBIOS_DEVICE_NOT_FOUND &&
	      KCXX_PCIBIOS_BAD_REGISTER_NUMBER == PCIBIOS_BAD_REGISTER_NUMBER &&
	      KCXX_PCIBIOS_SET_FAILED == PCIBIOS_SET_FAILED &&
	      KCXX_PCIBIOS_BUFFER_TOO_SMALL == PCIBIOS_BUFFER_TOO_SMALL);

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
