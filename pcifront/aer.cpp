// SPDX-License-Identifier: GPL-2.0
// AER requests from pciback, answered in process context.
#include "aer.hpp"

#include "kcxx/pci.hpp"
#include "kcxx/time.hpp"

namespace pcifront
{

// PciDev::aer_call() takes our step as the shim's: the two enums list the steps in the same
// order.
static_assert(static_cast<int>(AerStep::ErrorDetected) == KCXX_AER_ERROR_DETECTED &&
		  static_cast<int>(AerStep::MmioEnabled) == KCXX_AER_MMIO_ENABLED &&
		  static_cast<int>(AerStep::SlotReset) == KCXX_AER_SLOT_RESET &&
		  static_cast<int>(AerStep::Resume) == KCXX_AER_RESUME,
	      "AerStep mirrors the shim's AER steps");

Aer::Aer(Connection &conn, xen::XenbusDevice xdev) : conn_(conn), xdev_(xdev) {}

void Aer::serve()
{
	start(false);
}

void Aer::serve_ending()
{
	start(true);
}

void Aer::start(bool ending)
{
	__atomic_store_n(&ending_, ending, __ATOMIC_RELAXED); // published by the store below
	// A full barrier between the store and poke()'s look at the page: otherwise the look could
	// miss a request whose event handler, on another CPU, still saw serving_ false, and the
	// request would wait for the next op.
	__atomic_store_n(&serving_, true, __ATOMIC_SEQ_CST);
	poke();
}

void Aer::hold()
{
	__atomic_store_n(&serving_, false, __ATOMIC_RELEASE);
	work_.cancel(); // poke() queues nothing now
}

void Aer::finish()
{
	hold();
	// Nothing queues the work now: what is pending (queued and cancelled, or come after) is
	// answered here, or it would wait for pciback's timeout.
	if (__atomic_load_n(&ending_, __ATOMIC_RELAXED))
		reply();
	__atomic_store_n(&ending_, false, __ATOMIC_RELAXED);
}

bool Aer::poke()
{
	return __atomic_load_n(&serving_, __ATOMIC_ACQUIRE) && conn_.aer_requested() &&
	       budget_.allows(kcxx::now_ns()) && work_.schedule();
}

void Aer::on_work(void *data)
{
	static_cast<Aer *>(data)->work();
}

void Aer::work()
{
	if (__atomic_load_n(&serving_, __ATOMIC_ACQUIRE) && reply())
		// A request that arrived while we worked (its event found the work still queued).
		if (!poke() && conn_.aer_requested() && !budget_.allows(kcxx::now_ns()))
			over_budget();
}

bool Aer::reply()
{
	if (!conn_.aer_requested())
		return false;
	const uint64_t now = kcxx::now_ns();
	if (!budget_.allows(now)) {
		over_budget();
		return false;
	}
	budget_.spend(now);
	// Read the request once; everything below uses the copy.
	xen_pcie_aer_op op = conn_.shared()->aer_op;
	__asm__ __volatile__("" ::: "memory");
	count(&requests_);
	const uint32_t result = answer(op);
	conn_.shared()->aer_op.err = static_cast<int32_t>(result);
	conn_.aer_answered();
	conn_.notify_port();
	return true;
}

void Aer::over_budget()
{
	// Left in the page: the next event or op after the span answers it.
	xdev_.log_ratelimited(KCXX_LOG_WARNING,
			      "backend sent more than %u AER requests within %u s, more than any "
			      "error recovery takes: the next one waits",
			      AerBudget::kRequests,
			      static_cast<unsigned>(AerBudget::kSpanNs / 1000000000u));
}

uint32_t Aer::absent(const xen_pcie_aer_op &op, AerStep step)
{
	count(&unhandled_);
	const BdfName name = bdf_name({op.domain, op.bus, op.devfn});
	if (__atomic_load_n(&ending_, __ATOMIC_RELAXED)) {
		// Removed with the connection: unbound, as far as the AER core is concerned.
		const uint32_t result = aer_answer(step, AerOutcome::NoDriver, 0);
		xdev_.log_ratelimited(KCXX_LOG_WARNING,
				      "AER request %u for %s: the device went with the connection; "
				      "answered %u as the AER core would for a device without a "
				      "driver",
				      op.cmd, name.text, result);
		return result;
	}
	xdev_.log_ratelimited(KCXX_LOG_WARNING,
			      "AER request %u for %s: no such device of ours; answered 'none'",
			      op.cmd, name.text);
	return KCXX_PCI_ERS_RESULT_NONE;
}

uint32_t Aer::answer(const xen_pcie_aer_op &op)
{
	AerStep step = AerStep::Resume;
	if (!aer_step_of(op.cmd, &step) || !aer_channel_state_ok(op.err) || op.domain > 0xffff ||
	    op.bus > 0xff || op.devfn > 0xff) {
		count(&unhandled_);
		xdev_.log_ratelimited(KCXX_LOG_ERR,
				      "backend sent a malformed AER request (cmd %u, channel state "
				      "%d, device %x:%x:%x): answered 'none'",
				      op.cmd, op.err, op.domain, op.bus, op.devfn);
		return KCXX_PCI_ERS_RESULT_NONE;
	}
	// Only devices on our own root buses: the backend cannot reach other drivers.
	const kcxx::PciDevRef ref =
	    kcxx::PciDevRef::find_under(xdev_.dev().raw(), op.domain, op.bus, op.devfn);
	struct pci_dev *pdev = ref.get();
	if (!pdev)
		return absent(op, step);
	uint32_t driver_result = KCXX_PCI_ERS_RESULT_NONE;
	const int e = kcxx::PciDev(pdev).aer_call(step, op.err, &driver_result);
	const AerOutcome o = e == 0		 ? AerOutcome::Called
			     : e == -KCXX_ENODEV ? AerOutcome::NoDriver
						 : AerOutcome::NoCallback;
	const uint32_t result = aer_answer(step, o, driver_result);
	if (o != AerOutcome::Called) {
		count(&unhandled_);
		xdev_.log_ratelimited(KCXX_LOG_WARNING,
				      "AER request %u for %s: %s; answered %u as the AER core "
				      "would",
				      op.cmd, kcxx::PciDev(pdev).name(),
				      o == AerOutcome::NoDriver
					  ? "no driver bound"
					  : "the driver has no handler for this step",
				      result);
	}
	return result;
}

} // namespace pcifront
