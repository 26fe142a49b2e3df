// SPDX-License-Identifier: GPL-2.0
// AER requests from pciback, answered in process context.
#include "aer.hpp"

#include "kcxx/log.h"
#include "kcxx/pci.h"
#include "kcxx/pci_ref.hpp"

namespace pcifront
{

namespace
{
// The shim's name for an AER step: the two enums list the steps in the same order.
static_assert(static_cast<int>(AerStep::ErrorDetected) == KCXX_AER_ERROR_DETECTED &&
		  static_cast<int>(AerStep::MmioEnabled) == KCXX_AER_MMIO_ENABLED &&
		  static_cast<int>(AerStep::SlotReset) == KCXX_AER_SLOT_RESET &&
		  static_cast<int>(AerStep::Resume) == KCXX_AER_RESUME,
	      "AerStep mirrors kcxx_pci_aer_step");
kcxx_pci_aer_step aer_step_kernel(AerStep s)
{
	return static_cast<kcxx_pci_aer_step>(s);
}
} // namespace

Aer::Aer(Connection &conn, struct xenbus_device *xdev) : conn_(conn), xdev_(xdev)
{
	kcxx_work_init(&work_, on_work, this);
}

void Aer::poke()
{
	kcxx_schedule_work(&work_);
}

void Aer::cancel()
{
	kcxx_cancel_work_sync(&work_);
}

void Aer::on_work(void *data)
{
	static_cast<Aer *>(data)->work();
}

void Aer::work()
{
	if (!conn_.aer_requested())
		return;
	// Read the request once; everything below uses the copy.
	xen_pcie_aer_op op = conn_.shared()->aer_op;
	__asm__ __volatile__("" ::: "memory");
	count(&requests_);
	const uint32_t result = answer(op);
	conn_.shared()->aer_op.err = static_cast<int32_t>(result);
	conn_.aer_answered();
	conn_.notify_port();
	// A request that arrived while we worked (its event found the work still queued).
	if (conn_.aer_requested())
		poke();
}

uint32_t Aer::answer(const xen_pcie_aer_op &op)
{
	struct device *dev = kcxx_xenbus_to_device(xdev_);
	AerStep step = AerStep::Resume;
	if (!aer_step_of(op.cmd, &step) || op.domain > 0xffff || op.bus > 0xff || op.devfn > 0xff) {
		count(&unhandled_);
		kcxx_dev_log_ratelimited(dev, KCXX_LOG_ERR,
					 "backend sent a malformed AER request (cmd %u, device "
					 "%x:%x:%x): answered 'none'",
					 op.cmd, op.domain, op.bus, op.devfn);
		return KCXX_PCI_ERS_RESULT_NONE;
	}
	// Only devices on our own root buses: the backend cannot reach other drivers.
	const kcxx::PciDevRef ref = kcxx::PciDevRef::find_under(dev, op.domain, op.bus, op.devfn);
	struct pci_dev *pdev = ref.get();
	if (!pdev) {
		count(&unhandled_);
		kcxx_dev_log_ratelimited(dev, KCXX_LOG_WARNING,
					 "AER request %u for %s: no such device of ours; answered "
					 "'none'",
					 op.cmd, bdf_name({op.domain, op.bus, op.devfn}).text);
		return KCXX_PCI_ERS_RESULT_NONE;
	}
	uint32_t driver_result = KCXX_PCI_ERS_RESULT_NONE;
	const int e = kcxx_pci_aer_call(pdev, aer_step_kernel(step), op.err, &driver_result);
	const AerOutcome o = e == 0		  ? AerOutcome::Called
			     : e == -KCXX_ENODEV ? AerOutcome::NoDriver
						  : AerOutcome::NoCallback;
	const uint32_t result = aer_answer(step, o, driver_result);
	if (o != AerOutcome::Called) {
		count(&unhandled_);
		kcxx_dev_log_ratelimited(dev, KCXX_LOG_WARNING,
					 "AER request %u for %s: %s; answered %u as the AER core "
					 "would",
					 op.cmd, kcxx_pci_name(pdev),
					 o == AerOutcome::NoDriver
					     ? "no driver bound"
					     : "the driver has no handler for this step",
					 result);
	}
	return result;
}

} // namespace pcifront
