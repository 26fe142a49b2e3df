// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-msi: owner of the x86 xen_pci_frontend hook. The built-in arch/x86/pci/xen.c calls
// our four ops when a driver enables or disables MSI/MSI-X on a device of the frontend, then
// binds the pirqs we return. Every op goes to pciback through the frontend's op channel; the
// per-device logic (which op undoes what, the pirq checks) is lib/msi_table.
//
// Unloading is safe without more than the module dependency: the hook is installed only while a
// frontend is attached, the frontend detaches after removing its devices, and only devices on
// its root buses reach the ops.
#include "entry.h"
#include "kcxx/alloc.hpp"
#include "kcxx/pci.hpp"
#include "kcxx/sync.hpp"
#include "kcxx/xen.hpp"
#include "lib/msi_table.hpp"
#include "state.hpp"
#include "xpf/evtchn.h"
#include "xpf/msi.h"

namespace xpf_msi
{
kcxx::LockClass lock_class{"xpf_msi.lock", {}};
// Storage without a static constructor (modules run none): built in init, destroyed in exit.
kcxx::StaticBox<State> state;
} // namespace xpf_msi

using namespace xpf_msi;

namespace
{

using pcifront::Bdf;
using pcifront::MsiDevice;
using pcifront::MsiFailure;
using pcifront::MsiMode;
using pcifront::MsiOutcome;
using pcifront::VectorFault;

constexpr const char *kMod = "xen-pcifront-msi";

// MsiTable's view of the kernel: the frontend's op channel, Xen's pirq range, bookkeeping.
class KernelBackend
{
      public:
	KernelBackend(State &s, struct pci_dev *dev) : s_(s), dev_(dev) {}

	int call(const xen_pci_op &req, xen_pci_op *reply)
	{
		if (!s_.transport || !dev_)
			return -KCXX_ENOTCONN;
		return s_.transport->msi_op(dev_, req, reply);
	}
	bool pirq_valid(uint32_t pirq) { return xen::pirq_valid(pirq); }
	void on_enabled(MsiDevice &d)
	{
		const auto kind =
		    d.state.mode() == MsiMode::Msix ? XPF_BINDING_MSIX_PIRQ : XPF_BINDING_MSI_PIRQ;
		for (int i = 0; i < d.state.nvec(); i++) {
			const int h =
			    xpf_evtchn_track(kind, 0, -1, d.pirqs[i], kcxx::PciDev(dev_).name());
			d.cookie[i] = h >= 0 ? h : -1;
		}
	}
	void on_released(MsiDevice &d)
	{
		for (int i = 0; i < d.state.nvec(); i++)
			if (d.cookie[i] >= 0)
				xpf_evtchn_untrack(d.cookie[i]);
	}

      private:
	State &s_;
	struct pci_dev *dev_;
};

Bdf bdf_of(struct pci_dev *dev)
{
	const kcxx::PciDev d(dev);
	return Bdf{d.bus().domain(), d.bus().number(), d.devfn()};
}

// True for the first failure of this device since its last success: a driver's MSI-X, then
// MSI, then reload attempts on a host that cannot do MSI give one line, not one per attempt.
bool first_warning(State &s, const Bdf &bdf)
{
	for (auto &w : s.warned)
		if (w.used && w.bdf == bdf)
			return false;
	Warned &w = s.warned[s.warned_next];
	s.warned_next = (s.warned_next + 1) % State::kWarned;
	w.bdf = bdf;
	w.used = true;
	return true;
}

void clear_warning(State &s, const Bdf &bdf)
{
	for (auto &w : s.warned)
		if (w.used && w.bdf == bdf)
			w = Warned();
}

void log_enable_failure(struct pci_dev *dev, MsiMode mode, int nvec, const MsiOutcome &o)
{
	const char *what = mode == MsiMode::Msix ? "MSI-X" : "MSI";
	const kcxx::Device d = kcxx::PciDev(dev).dev();
	switch (o.why) {
	case MsiFailure::Backend:
		if (o.err == -KCXX_ENODEV)
			d.log(KCXX_LOG_WARNING,
			      "%s refused by pciback (err %d): dom0 cannot enable MSI for a "
			      "guest without an IOMMU; the driver falls back to INTx",
			      what, o.backend_err);
		else
			d.log(KCXX_LOG_WARNING,
			      "%s with %d vector(s) refused by pciback (err %d, errno %d); "
			      "nothing left enabled, the driver falls back",
			      what, nvec, o.backend_err, o.err);
		break;
	case MsiFailure::BadVector:
		if (o.vector_fault == VectorFault::CountInReply) {
			d.log(KCXX_LOG_ERR,
			      "%s with %d vector(s) refused: pciback's reply carries a count "
			      "(%u) where an enabled reply has 0; %s",
			      what, nvec, o.pirq,
			      o.undo_failed ? "switching it off again got no answer"
					    : "switched off again, the driver falls back");
			break;
		}
		[[fallthrough]];
	case MsiFailure::PirqInUse:
	case MsiFailure::PirqRejected:
		d.log(KCXX_LOG_ERR,
		      "%s refused: pciback returned pirq %u for vector %d (%s%s%s); %s", what,
		      o.pirq, o.index, msi_failure_name(o.why),
		      o.why == MsiFailure::BadVector ? ": " : "",
		      o.why == MsiFailure::BadVector ? vector_fault_name(o.vector_fault) : "",
		      o.undo_failed ? "switching it off again got no answer"
				    : "switched off again, the driver falls back");
		break;
	default:
		d.log(KCXX_LOG_WARNING, "%s with %d vector(s) failed: %s (%d)", what, nvec,
		      msi_failure_name(o.why), o.err);
		break;
	}
}

} // namespace

extern "C" int xpf_msi_enable(struct pci_dev *dev, bool msix, int *vectors, int nvec)
{
	const MsiMode mode = msix ? MsiMode::Msix : MsiMode::Msi;
	const Bdf bdf = bdf_of(dev);
	kcxx::MutexGuard g(state->lock);
	if (!state->transport)
		return -KCXX_ENODEV;
	const uint16_t *entries = nullptr;
	if (msix) {
		const int n = kcxx::PciDev(dev).msi_indices(state->entries, SH_INFO_MAX_VEC);
		if (n != nvec) {
			kcxx::PciDev(dev).dev().log(
			    KCXX_LOG_WARNING,
			    "MSI-X with %d vectors refused: the protocol carries at most "
			    "%d (%d descriptors)",
			    nvec, SH_INFO_MAX_VEC, n);
			++state->n.enable_failures;
			return -KCXX_EINVAL;
		}
		entries = state->entries;
	}
	KernelBackend be(*state, dev);
	const MsiOutcome o = state->table.enable(be, bdf, mode, entries, nvec, vectors);
	if (o.recovered) {
		++state->n.recovered;
		kcxx::PciDev(dev).dev().log(
		    KCXX_LOG_INFO,
		    "pciback still had MSI-X on (left by an earlier frontend's teardown): "
		    "switched it off and enabled again");
	}
	if (o.err) {
		++state->n.enable_failures;
		if (o.why == MsiFailure::BadVector || o.why == MsiFailure::PirqInUse ||
		    o.why == MsiFailure::PirqRejected)
			++state->n.refused_vectors;
		if (first_warning(*state, bdf))
			log_enable_failure(dev, mode, nvec, o);
		return o.err;
	}
	++state->n.enables;
	clear_warning(*state, bdf);
	return 0;
}

extern "C" void xpf_msi_disable(struct pci_dev *dev, bool msix)
{
	const Bdf bdf = bdf_of(dev);
	kcxx::MutexGuard g(state->lock);
	KernelBackend be(*state, dev);
	MsiOutcome o = state->table.disable(be, bdf, msix ? MsiMode::Msix : MsiMode::Msi);
	if (o.err == -KCXX_ENOTCONN) {
		// The connection is gone, and pciback reset the device with it: nothing to undo.
		KernelBackend gone(*state, nullptr);
		state->table.forget(gone, bdf);
		o.err = 0;
	}
	if (!o.sent)
		return;
	++state->n.disables;
	if (o.corrected && state->n.corrected++ == 0)
		kcxx::PciDev(dev).dev().log(
		    KCXX_LOG_INFO,
		    "the kernel asked for %s while %s is on; sent %s (counted in "
		    "debugfs msi/devices, logged once)",
		    msix ? "disable_msix" : "disable_msi", msix ? "MSI" : "MSI-X",
		    o.sent_cmd == XEN_PCI_OP_disable_msix ? "disable_msix" : "disable_msi");
	if (o.err)
		kcxx::PciDev(dev).dev().log(
		    KCXX_LOG_WARNING,
		    "disabling %s got no valid answer from pciback (%d); it is switched "
		    "off before the next enable",
		    o.sent_cmd == XEN_PCI_OP_disable_msix ? "MSI-X" : "MSI", o.err);
	if (!state->transport && state->table.active() == 0 && state->hook) {
		xpf_msi_hook_remove();
		state->hook = false;
	}
}

extern "C" int xpf_msi_attach(struct xpf_msi_transport *t)
{
	kcxx::MutexGuard g(state->lock);
	if (state->transport && state->transport != t)
		return -KCXX_EBUSY;
	if (!state->hook) {
		if (!xpf_msi_hook_install()) {
			kcxx::log(kMod, KCXX_LOG_ERR,
				  "the x86 MSI hook is held by another frontend (the in-tree "
				  "xen-pcifront?); rmmod it to use MSI through %s",
				  t->msi_name());
			return -KCXX_EEXIST;
		}
		state->hook = true;
	}
	state->transport = t;
	return 0;
}

extern "C" void xpf_msi_detach(struct xpf_msi_transport *t)
{
	kcxx::MutexGuard g(state->lock);
	if (state->transport != t)
		return;
	state->transport = nullptr;
	const int left = state->table.active();
	if (left == 0) {
		KernelBackend gone(*state, nullptr);
		state->table.forget_all(gone);
		xpf_msi_hook_remove();
		state->hook = false;
		return;
	}
	// A device still holding vectors keeps the hook until its driver disables them.
	kcxx::log(
	    kMod, KCXX_LOG_WARNING,
	    "%s detached while %d device(s) still have MSI vectors; the hook stays until they "
	    "are disabled",
	    t->msi_name(), left);
}

extern "C" int xpf_msi_init(void)
{
	state.create();
	// /sys/kernel/debug/xen-pcifront-cxx/msi/devices
	if (state->debugfs.create("msi", xpf_debugfs_root()))
		state->devices.create<show_devices>("devices", state->debugfs.get());
	kcxx::log(kMod, KCXX_LOG_INFO, "loaded; the x86 MSI hook is %s",
		  xpf_msi_hook_free() ? "free" : "held by another frontend");
	return 0;
}

extern "C" void xpf_msi_exit(void)
{
	{
		kcxx::MutexGuard g(state->lock);
		if (state->table.active())
			kcxx::log(kMod, KCXX_LOG_WARNING,
				  "unloading with %d device(s) on MSI: their records are dropped",
				  state->table.active());
		KernelBackend gone(*state, nullptr);
		state->table.forget_all(gone);
		if (state->hook)
			xpf_msi_hook_remove();
		state->hook = false;
	}
	state.destroy(); // its debugfs file, then its directory, go first
}
