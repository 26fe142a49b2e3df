// SPDX-License-Identifier: GPL-2.0
// The MSI/MSI-X side of the x86 xen_pci_frontend hook, per device: which op reaches pciback for
// each enable and disable the kernel asks for, the checks on the pirqs pciback hands back, and
// the recovery from a backend that still has MSI-X on from an earlier frontend.
// Portable: built unchanged for the kernel and for the host tests.
//
// The built-in x86 code binds the returned pirqs without looking at them, so every one is
// checked here first. Its teardown asks for disable_msi once the MSI core has cleared
// msix_enabled; the table sends the op that undoes what is really enabled instead.
#pragma once

#include "kcxx/alloc.hpp"
#include "lib/msi_state.hpp"
#include "lib/pciif.hpp"

namespace pcifront {

// pirqs travel as u16 in MSI-X replies; an MSI reply (u32) beyond this is refused too.
inline constexpr uint32_t kMaxPirq = 0x10000;

// Why an enable failed, for the caller's log line.
enum class MsiFailure {
	None,
	BadRequest,   // cannot be expressed in the protocol (vector count, MSI-X entry index)
	TableFull,    // more devices with vectors than the table holds
	NoMemory,     // no memory for the device's record
	StaleState,   // a mode left on at the backend could not be switched off first
	Transport,    // no valid reply: timeout, wedged channel, reply for another op, no frontend
	Backend,      // pciback refused; backend_err holds its err field
	BadVector,    // a pirq refused by check_msix_vectors (vector_fault, index)
	PirqInUse,    // a pirq another device of ours already holds
	PirqRejected, // Xen does not know the pirq for this domain
};
const char *msi_failure_name(MsiFailure f);

struct MsiOutcome {
	int err = 0; // 0 or a negative errno for the kernel
	MsiFailure why = MsiFailure::None;
	int32_t backend_err = 0;
	VectorFault vector_fault = VectorFault::None;
	int index = -1;      // the refused vector
	uint32_t pirq = 0;   // its value
	bool recovered = false; // pciback still had MSI-X on: switched off, then enabled again
	bool undo_failed = false; // vectors refused and the disable undoing them failed too
	// disable() only
	bool sent = false;      // an op reached the backend
	uint32_t sent_cmd = 0;
	bool corrected = false; // the kernel asked to disable the other mode
};

struct MsiDevice {
	Bdf bdf;
	bool used = false;
	MsiState state;          // mode on at the backend; nvec 0 with a mode = maybe on
	uint16_t pirqs[SH_INFO_MAX_VEC] = {};
	int cookie[SH_INFO_MAX_VEC] = {}; // the owner's, e.g. a bookkeeping handle per pirq
};

// Backend: what the table needs from the frontend.
//   int call(const xen_pci_op &req, xen_pci_op *reply); // 0 once @reply is a checked answer
//                                                       // to @req, else a negative errno
//   bool pirq_valid(uint32_t pirq);        // Xen knows @pirq for this domain
//   void on_enabled(MsiDevice &d);         // d.pirqs[0..nvec) just went live
//   void on_released(MsiDevice &d);        // and are gone again
// A record is allocated the first time a device asks for vectors and kept, unused, once they are
// gone, for the next device: memory follows the most devices ever on MSI at once, not the table's
// size. Allocation is in process context (the MSI core's enable path), under the caller's mutex.
class MsiTable {
      public:
	static constexpr int kMaxDevices = 256; // one per function on a bus: SR-IOV VFs included

	// Asks pciback for @nvec MSI-X vectors (table indices @entries) or one MSI vector, and
	// fills @vectors with the checked pirqs. On failure nothing is left enabled at the
	// backend, unless undo_failed says otherwise.
	template <typename Backend>
	MsiOutcome enable(Backend &be, const Bdf &bdf, MsiMode mode, const uint16_t *entries,
			  int nvec, int *vectors);
	// The kernel tears down @asked; the backend gets the op for what is really on.
	template <typename Backend> MsiOutcome disable(Backend &be, const Bdf &bdf, MsiMode asked);
	// The connection is gone and pciback has reset its devices: drop the records.
	template <typename Backend> void forget(Backend &be, const Bdf &bdf);
	template <typename Backend> void forget_all(Backend &be);

	const MsiDevice *find(const Bdf &bdf) const;
	int active() const; // devices with a mode on (or maybe on)
	// Slot @i's record: null, or a device (used) or a kept, unused record.
	const MsiDevice *at(int i) const { return devs_[i].get(); }

      private:
	// @bdf's record; with @create, a kept unused record or a new one. Null when not found, or
	// with @create when the table is full (*full) or there is no memory.
	MsiDevice *lookup(const Bdf &bdf, bool create, bool *full = nullptr);
	template <typename Backend> int send_disable(Backend &be, MsiDevice &d, MsiOutcome *out);
	template <typename Backend> void release(Backend &be, MsiDevice &d);
	bool held_elsewhere(const MsiDevice &self, uint32_t pirq) const;

	kcxx::Box<MsiDevice> devs_[kMaxDevices];
};

// ---- templates
// -----------------------------------------------------------------------------------

template <typename Backend> void MsiTable::release(Backend &be, MsiDevice &d)
{
	if (d.state.nvec() > 0)
		be.on_released(d);
	d = MsiDevice();
}

// Sends the op undoing d's mode; on any answer from pciback the mode is off (its disables
// cannot fail; an error is still no reason to believe the vectors live on).
template <typename Backend> int MsiTable::send_disable(Backend &be, MsiDevice &d, MsiOutcome *out)
{
	uint32_t cmd = 0;
	if (!d.state.disable_op(&cmd))
		return 0;
	auto req = make_msi_op(cmd, d.bdf);
	if (!req.ok())
		return req.error();
	xen_pci_op reply;
	const int e = be.call(*req.get(), &reply);
	if (out) {
		out->sent = true;
		out->sent_cmd = cmd;
	}
	if (e)
		return e;
	if (out && reply.err)
		out->backend_err = reply.err;
	release(be, d);
	return 0;
}

template <typename Backend>
MsiOutcome MsiTable::enable(Backend &be, const Bdf &bdf, MsiMode mode, const uint16_t *entries,
			    int nvec, int *vectors)
{
	MsiOutcome out;
	auto fail = [&out](int err, MsiFailure why) {
		out.err = err;
		out.why = why;
		return out;
	};
	if (mode == MsiMode::Msi)
		nvec = 1;
	auto req = mode == MsiMode::Msix ? make_msix_op(bdf, entries, nvec)
					 : make_msi_op(XEN_PCI_OP_enable_msi, bdf);
	if (mode == MsiMode::Off || !req.ok())
		return fail(-KCXX_EINVAL, MsiFailure::BadRequest);
	bool full = false;
	MsiDevice *d = lookup(bdf, true, &full);
	if (!d)
		return full ? fail(-KCXX_ENOSPC, MsiFailure::TableFull)
			    : fail(-KCXX_ENOMEM, MsiFailure::NoMemory);
	// A mode we could not switch off earlier (its disable timed out) goes first.
	if (d->state.mode() != MsiMode::Off) {
		if (send_disable(be, *d, nullptr) != 0)
			return fail(-KCXX_EBUSY, MsiFailure::StaleState);
		d = lookup(bdf, true); // the disable released the record, kept for reuse
	}

	const xen_pci_op &sent = *req.get();
	xen_pci_op reply;
	int e = be.call(sent, &reply);
	if (e == 0 && mode == MsiMode::Msix && reply.err == -KCXX_EALREADY) {
		// pciback still has MSI-X on for a device we hold no vectors of: left by an earlier
		// frontend whose teardown sent disable_msi (the in-tree one does). Switch it off and
		// ask once more.
		d->state.enabled(MsiMode::Msix, 0);
		if (send_disable(be, *d, nullptr) != 0) {
			out.recovered = true;
			return fail(-KCXX_EBUSY, MsiFailure::StaleState);
		}
		d = lookup(bdf, true); // released and kept: found again without allocating
		out.recovered = true;
		e = be.call(sent, &reply);
	}
	if (e) {
		// Unknown whether pciback acted: remember the mode as maybe-on so that the kernel's
		// teardown or our next enable switches it off.
		d->state.enabled(mode, 0);
		return fail(e, MsiFailure::Transport);
	}
	if (const int be_err = msi_err_to_errno(sent.cmd, reply.err); be_err) {
		out.backend_err = reply.err;
		release(be, *d);
		return fail(be_err, MsiFailure::Backend);
	}

	// pciback has the mode on from here: any refusal below must switch it off again.
	d->state.enabled(mode, 0);
	MsiFailure bad = MsiFailure::None;
	if (mode == MsiMode::Msix) {
		// pciback's value is pci_enable_msix_exact()'s result: 0 once the vectors are on. A
		// count there ("only N available" in older kernels, more than asked from a rogue)
		// leaves the entries meaningless.
		if (reply.value != 0) {
			bad = MsiFailure::BadVector;
			out.vector_fault = VectorFault::CountInReply;
			out.pirq = reply.value;
		} else {
			out.vector_fault = check_msix_vectors(sent.msix_entries, reply.msix_entries,
							      nvec, kMaxPirq, &out.index);
			if (out.vector_fault != VectorFault::None) {
				bad = MsiFailure::BadVector;
				if (out.index >= 0)
					out.pirq = reply.msix_entries[out.index].vector;
			}
		}
		for (int i = 0; i < nvec; i++)
			d->pirqs[i] = reply.msix_entries[i].vector;
	} else {
		out.pirq = reply.value;
		if (reply.value == 0 || reply.value >= kMaxPirq) {
			bad = MsiFailure::BadVector;
			out.vector_fault = reply.value ? VectorFault::OutOfRange : VectorFault::Zero;
			out.index = 0;
		} else {
			d->pirqs[0] = static_cast<uint16_t>(reply.value);
		}
	}
	for (int i = 0; bad == MsiFailure::None && i < nvec; i++) {
		out.index = i;
		out.pirq = d->pirqs[i];
		if (held_elsewhere(*d, d->pirqs[i]))
			bad = MsiFailure::PirqInUse;
		else if (!be.pirq_valid(d->pirqs[i]))
			bad = MsiFailure::PirqRejected;
	}
	if (bad != MsiFailure::None) {
		for (int i = 0; i < nvec; i++)
			d->pirqs[i] = 0;
		out.undo_failed = send_disable(be, *d, nullptr) != 0;
		return fail(-KCXX_EINVAL, bad);
	}
	out.index = -1;
	out.pirq = 0;
	d->state.enabled(mode, nvec);
	for (int i = 0; i < nvec; i++)
		vectors[i] = d->pirqs[i];
	be.on_enabled(*d);
	return out;
}

template <typename Backend> MsiOutcome MsiTable::disable(Backend &be, const Bdf &bdf, MsiMode asked)
{
	MsiOutcome out;
	MsiDevice *d = lookup(bdf, false);
	if (!d || d->state.mode() == MsiMode::Off)
		return out;
	out.corrected = d->state.mode() != asked;
	out.err = send_disable(be, *d, &out);
	if (out.err)
		out.why = MsiFailure::Transport;
	return out;
}

template <typename Backend> void MsiTable::forget(Backend &be, const Bdf &bdf)
{
	if (MsiDevice *d = lookup(bdf, false))
		release(be, *d);
}

template <typename Backend> void MsiTable::forget_all(Backend &be)
{
	for (auto &d : devs_)
		if (d && d->used)
			release(be, *d);
}

} // namespace pcifront
