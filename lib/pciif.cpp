// SPDX-License-Identifier: GPL-2.0
// Portable: built unchanged for the kernel and for the host tests.
#include "lib/pciif.hpp"

#include "kcxx/pci.h"

namespace pcifront {

static bool bdf_valid(const Bdf &b) { return b.domain <= 0xffff && b.bus <= 0xff && b.devfn <= 0xff; }

static xen_pci_op blank_op(uint32_t cmd, const Bdf &bdf)
{
	xen_pci_op op = {};
	op.cmd = cmd;
	op.domain = bdf.domain;
	op.bus = bdf.bus;
	op.devfn = bdf.devfn;
	return op;
}

Result<xen_pci_op> make_conf_op(uint32_t cmd, const Bdf &bdf, int offset, int size,
				uint32_t value)
{
	if (cmd != XEN_PCI_OP_conf_read && cmd != XEN_PCI_OP_conf_write)
		return kcxx::err(-KCXX_EINVAL);
	if (!bdf_valid(bdf))
		return kcxx::err(-KCXX_EINVAL);
	if (size != 1 && size != 2 && size != 4)
		return kcxx::err(-KCXX_EINVAL);
	if (offset < 0 || offset > kConfigSpaceSize - size || (offset & (size - 1)))
		return kcxx::err(-KCXX_EINVAL);
	xen_pci_op op = blank_op(cmd, bdf);
	op.offset = offset;
	op.size = size;
	if (cmd == XEN_PCI_OP_conf_write) {
		if (size < 4 && (value >> (size * 8)))
			return kcxx::err(-KCXX_EINVAL);
		op.value = value;
	}
	return op;
}

Result<xen_pci_op> make_msi_op(uint32_t cmd, const Bdf &bdf)
{
	if (cmd != XEN_PCI_OP_enable_msi && cmd != XEN_PCI_OP_disable_msi &&
	    cmd != XEN_PCI_OP_disable_msix)
		return kcxx::err(-KCXX_EINVAL);
	if (!bdf_valid(bdf))
		return kcxx::err(-KCXX_EINVAL);
	return blank_op(cmd, bdf);
}

Result<xen_pci_op> make_msix_op(const Bdf &bdf, const uint16_t *entries, int nvec)
{
	if (!bdf_valid(bdf) || nvec <= 0 || nvec > SH_INFO_MAX_VEC)
		return kcxx::err(-KCXX_EINVAL);
	xen_pci_op op = blank_op(XEN_PCI_OP_enable_msix, bdf);
	op.value = static_cast<uint32_t>(nvec);
	for (int i = 0; i < nvec; i++) {
		// MSI-X tables have at most 2048 entries (PCI_MSIX_FLAGS_QSIZE + 1).
		if (entries[i] >= 2048)
			return kcxx::err(-KCXX_EINVAL);
		op.msix_entries[i].entry = entries[i];
		op.msix_entries[i].vector = 0;
	}
	return op;
}

const char *reply_fault_name(ReplyFault f)
{
	switch (f) {
	case ReplyFault::None:
		return "none";
	case ReplyFault::ErrOutOfRange:
		return "error code out of range";
	case ReplyFault::WrongCmd:
		return "reply is for another command";
	case ReplyFault::WrongDevice:
		return "reply is for another device";
	case ReplyFault::WrongOffset:
		return "reply is for another register";
	}
	return "unknown";
}

static bool err_in_range(int32_t err) { return err <= 0 && err >= -KCXX_MAX_ERRNO; }

Result<ConfReply> check_conf_reply(const xen_pci_op &sent, const xen_pci_op &reply,
				   ReplyFault *fault)
{
	ReplyFault f = ReplyFault::None;
	if (reply.cmd != sent.cmd)
		f = ReplyFault::WrongCmd;
	else if (reply.domain != sent.domain || reply.bus != sent.bus || reply.devfn != sent.devfn)
		f = ReplyFault::WrongDevice;
	else if (reply.offset != sent.offset || reply.size != sent.size)
		f = ReplyFault::WrongOffset;
	else if (!err_in_range(reply.err))
		f = ReplyFault::ErrOutOfRange;
	if (fault)
		*fault = f;
	if (f != ReplyFault::None)
		return kcxx::err(-KCXX_EPROTO);
	ConfReply r;
	r.err = reply.err;
	if (sent.cmd == XEN_PCI_OP_conf_read && reply.err == XEN_PCI_ERR_success)
		r.value = sent.size < 4 ? reply.value & ((1u << (sent.size * 8)) - 1) : reply.value;
	return r;
}

int xen_pci_err_to_pcibios(int32_t err)
{
	switch (err) {
	case XEN_PCI_ERR_success:
		return KCXX_PCIBIOS_SUCCESSFUL;
	case XEN_PCI_ERR_dev_not_found:
		return KCXX_PCIBIOS_DEVICE_NOT_FOUND;
	case XEN_PCI_ERR_invalid_offset:
	case XEN_PCI_ERR_op_failed:
		return KCXX_PCIBIOS_BAD_REGISTER_NUMBER;
	case XEN_PCI_ERR_not_implemented:
		return KCXX_PCIBIOS_FUNC_NOT_SUPPORTED;
	case XEN_PCI_ERR_access_denied:
		return KCXX_PCIBIOS_SET_FAILED;
	default:
		// Not a value pciback sends for config ops: report a failed access, never pass a
		// negative or unknown number up to the PCI core.
		return KCXX_PCIBIOS_SET_FAILED;
	}
}

int xen_pci_err_to_errno(int32_t err)
{
	switch (err) {
	case XEN_PCI_ERR_success:
		return 0;
	case XEN_PCI_ERR_dev_not_found:
		return -KCXX_ENODEV;
	case XEN_PCI_ERR_invalid_offset:
		return -KCXX_EINVAL;
	case XEN_PCI_ERR_access_denied:
		return -KCXX_EACCES;
	case XEN_PCI_ERR_not_implemented:
		return -KCXX_EOPNOTSUPP;
	case XEN_PCI_ERR_op_failed:
	default:
		return -KCXX_EIO;
	}
}

int msi_err_to_errno(uint32_t cmd, int32_t err)
{
	if (err == 0)
		return 0;
	if (!err_in_range(err))
		return -KCXX_EPROTO;
	// pciback's enable_msi and the disables answer XEN_PCI_ERR_*; enable_msix passes on the
	// errno of pci_enable_msix_exact() (for example -EALREADY, -ENODEV).
	if (cmd == XEN_PCI_OP_enable_msix || cmd == XEN_PCI_OP_enable_multi_msi)
		return err;
	return xen_pci_err_to_errno(err);
}

const char *vector_fault_name(VectorFault f)
{
	switch (f) {
	case VectorFault::None:
		return "none";
	case VectorFault::BadCount:
		return "vector count out of range";
	case VectorFault::EntryChanged:
		return "entry index changed by the backend";
	case VectorFault::Zero:
		return "vector 0";
	case VectorFault::OutOfRange:
		return "vector beyond the domain's pirqs";
	case VectorFault::Duplicate:
		return "vector returned twice";
	case VectorFault::CountInReply:
		return "a vector count where an enabled reply has 0";
	}
	return "unknown";
}

VectorFault check_msix_vectors(const xen_msix_entry *sent, const xen_msix_entry *reply, int nvec,
			       uint32_t max_pirq, int *fault_index)
{
	*fault_index = -1;
	if (nvec <= 0 || nvec > SH_INFO_MAX_VEC)
		return VectorFault::BadCount;
	for (int i = 0; i < nvec; i++) {
		*fault_index = i;
		if (reply[i].entry != sent[i].entry)
			return VectorFault::EntryChanged;
		if (reply[i].vector == 0)
			return VectorFault::Zero;
		if (reply[i].vector >= max_pirq)
			return VectorFault::OutOfRange;
		for (int j = 0; j < i; j++)
			if (reply[j].vector == reply[i].vector)
				return VectorFault::Duplicate;
	}
	*fault_index = -1;
	return VectorFault::None;
}

bool aer_step_of(uint32_t cmd, AerStep *step)
{
	switch (cmd) {
	case XEN_PCI_OP_aer_detected:
		*step = AerStep::ErrorDetected;
		return true;
	case XEN_PCI_OP_aer_mmio:
		*step = AerStep::MmioEnabled;
		return true;
	case XEN_PCI_OP_aer_slotreset:
		*step = AerStep::SlotReset;
		return true;
	case XEN_PCI_OP_aer_resume:
		*step = AerStep::Resume;
		return true;
	default:
		return false;
	}
}

bool aer_channel_state_ok(int32_t state)
{
	return state >= 1 && state <= 3;
}

uint32_t aer_answer(AerStep step, AerOutcome outcome, uint32_t driver_result)
{
	if (step == AerStep::Resume)
		return KCXX_PCI_ERS_RESULT_RECOVERED;
	if (outcome == AerOutcome::Called)
		return driver_result;
	return step == AerStep::ErrorDetected ? KCXX_PCI_ERS_RESULT_NO_AER_DRIVER
					      : KCXX_PCI_ERS_RESULT_RECOVERED;
}

} // namespace pcifront
