// SPDX-License-Identifier: GPL-2.0
/*
 * xpf_aer_driver: a test driver with every PCI error handler, for the aer scenario on the
 * emulated Xen host. Bound by driver_override to the passed-through virtio-net function in place
 * of virtio-pci (which has no error handlers), it enables the device and logs each recovery step
 * the frontend delivers, in one line each:
 *   xpf_aer_driver: <step> ... (step N)
 * and votes as a driver that can recover without a reset: CAN_RECOVER when the error is
 * detected on a normal channel, RECOVERED after MMIO is enabled or the slot reset. At resume it
 * reads the vendor ID through config space (the device answers again). Loaded by path in the
 * driver domain for that round only, never from a module directory.
 */
#include <linux/module.h>
#include <linux/pci.h>

static atomic_t steps = ATOMIC_INIT(0);

static void logstep(struct pci_dev *pdev, const char *what, const char *detail)
{
	dev_info(&pdev->dev, "xpf_aer_driver: %s %s (step %d)\n", what, detail,
		 atomic_inc_return(&steps));
}

static pci_ers_result_t xpf_aer_detected(struct pci_dev *pdev, pci_channel_state_t state)
{
	logstep(pdev, "error_detected",
		state == pci_channel_io_normal ? "io_normal" :
		state == pci_channel_io_frozen ? "io_frozen" : "io_perm_failure");
	if (state == pci_channel_io_perm_failure)
		return PCI_ERS_RESULT_DISCONNECT;
	return state == pci_channel_io_normal ? PCI_ERS_RESULT_CAN_RECOVER :
						PCI_ERS_RESULT_NEED_RESET;
}

static pci_ers_result_t xpf_aer_mmio_enabled(struct pci_dev *pdev)
{
	logstep(pdev, "mmio_enabled", "recovered");
	return PCI_ERS_RESULT_RECOVERED;
}

static pci_ers_result_t xpf_aer_slot_reset(struct pci_dev *pdev)
{
	logstep(pdev, "slot_reset", "recovered");
	return PCI_ERS_RESULT_RECOVERED;
}

static void xpf_aer_resume(struct pci_dev *pdev)
{
	u16 vendor = 0;
	char detail[32];

	pci_read_config_word(pdev, PCI_VENDOR_ID, &vendor);
	snprintf(detail, sizeof(detail), "vendor %04x", vendor);
	logstep(pdev, "resume", detail);
}

static const struct pci_error_handlers xpf_aer_handlers = {
	.error_detected = xpf_aer_detected,
	.mmio_enabled = xpf_aer_mmio_enabled,
	.slot_reset = xpf_aer_slot_reset,
	.resume = xpf_aer_resume,
};

static int xpf_aer_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int err = pci_enable_device(pdev);

	if (err) {
		dev_err(&pdev->dev, "xpf_aer_driver: pci_enable_device: %d\n", err);
		return err;
	}
	pci_set_master(pdev);
	dev_info(&pdev->dev, "xpf_aer_driver: bound\n");
	return 0;
}

static void xpf_aer_remove(struct pci_dev *pdev)
{
	pci_clear_master(pdev);
	pci_disable_device(pdev);
}

/* No ID table: bound only where driver_override names it. */
static struct pci_driver xpf_aer_pci_driver = {
	.name = "xpf_aer_driver",
	.probe = xpf_aer_probe,
	.remove = xpf_aer_remove,
	.err_handler = &xpf_aer_handlers,
};
module_pci_driver(xpf_aer_pci_driver);

MODULE_DESCRIPTION("xen-pcifront-cxx test driver: logs each PCI error recovery step");
MODULE_LICENSE("GPL");
