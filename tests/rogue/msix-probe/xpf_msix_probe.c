// SPDX-License-Identifier: GPL-2.0
/*
 * xpf_msix_probe: a test driver for the rogue backend's MSI-X round on the emulated Xen host.
 * It binds the device xpf-rogue emulates (5853:c0de) and, in its probe as a real driver does,
 * asks for MSI-X vectors `tries` times, freeing whatever it gets. Each try is one enable_msix op
 * the rogue answers wrongly; the kernel log gets one line per try with what the driver got.
 * It is loaded by path in the driver domain for that round only, never from a module directory.
 */
#include <linux/module.h>
#include <linux/pci.h>

static int tries = 4;
module_param(tries, int, 0444);
MODULE_PARM_DESC(tries, "MSI-X allocations asked for in probe (default 4)");

static int xpf_msix_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int err, i, n;

	err = pci_enable_device(pdev);
	if (err) {
		dev_err(&pdev->dev, "xpf_msix_probe: pci_enable_device: %d\n", err);
		return err;
	}
	for (i = 0; i < tries; i++) {
		n = pci_alloc_irq_vectors(pdev, 4, 4, PCI_IRQ_MSIX);
		dev_info(&pdev->dev, "xpf_msix_probe: try %d: MSI-X with 4 vectors: %s %d\n", i,
			 n > 0 ? "got" : "error", n);
		if (n > 0)
			pci_free_irq_vectors(pdev);
	}
	return 0;
}

static void xpf_msix_remove(struct pci_dev *pdev)
{
	pci_disable_device(pdev);
}

static const struct pci_device_id xpf_msix_ids[] = {
	{ PCI_DEVICE(0x5853, 0xc0de) },
	{}
};
MODULE_DEVICE_TABLE(pci, xpf_msix_ids);

static struct pci_driver xpf_msix_driver = {
	.name = "xpf_msix_probe",
	.id_table = xpf_msix_ids,
	.probe = xpf_msix_probe,
	.remove = xpf_msix_remove,
};
module_pci_driver(xpf_msix_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xen-pcifront-cxx test: MSI-X requests against the rogue backend's device");
