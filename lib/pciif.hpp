// SPDX-License-Identifier: GPL-2.0
// Marshalling and validation of XEN_PCI_OP_* requests and replies (Xen io/pciif.h).
// Portable: built unchanged for the kernel and for the host tests.
#pragma once

#include "kcxx/result.hpp"
#include "kcxx/xen_public.h"

namespace pcifront {

using kcxx::Result;

// Where a config op goes: a function on one of the backend's root buses.
struct Bdf {
	uint32_t domain = 0; // segment, 0..0xffff
	uint32_t bus = 0;    // 0..0xff
	uint32_t devfn = 0;  // 0..0xff

	bool operator==(const Bdf &o) const
	{
		return domain == o.domain && bus == o.bus && devfn == o.devfn;
	}
};

constexpr uint32_t devfn(uint32_t slot, uint32_t fn) { return ((slot & 0x1f) << 3) | (fn & 7); }
constexpr uint32_t slot_of(uint32_t devfn) { return (devfn >> 3) & 0x1f; }
constexpr uint32_t func_of(uint32_t devfn) { return devfn & 7; }

// A function's address as pci_name() prints it ("0000:00:02.0"): the one place a Bdf becomes
// text, for log lines and debugfs. Fields beyond their width are cut to it, so the text always
// fits. Inline: every module prints addresses, and not all link this file's .cpp.
struct BdfName {
	char text[13]; // "dddd:bb:ss.f" and the terminating NUL
};
inline BdfName bdf_name(const Bdf &b)
{
	static constexpr char kHex[] = "0123456789abcdef";
	BdfName n{};
	char *p = n.text;
	const auto put = [&p](uint32_t v, int digits) {
		for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
			*p++ = kHex[(v >> shift) & 0xf];
	};
	put(b.domain, 4);
	*p++ = ':';
	put(b.bus, 2);
	*p++ = ':';
	put(slot_of(b.devfn), 2);
	*p++ = '.';
	put(func_of(b.devfn), 1);
	*p = '\0';
	return n;
}

// Extended config space is 4 KiB; pciback refuses offsets beyond it.
inline constexpr int kConfigSpaceSize = 4096;

// Builds a conf_read/conf_write request; refuses sizes other than 1, 2, 4, misaligned or
// out-of-range offsets before anything reaches the backend.
Result<xen_pci_op> make_conf_op(uint32_t cmd, const Bdf &bdf, int offset, int size,
				uint32_t value);
Result<xen_pci_op> make_msi_op(uint32_t cmd, const Bdf &bdf);
// An enable_msix request for entries[0..nvec) (the MSI-X table indices the driver asked for).
Result<xen_pci_op> make_msix_op(const Bdf &bdf, const uint16_t *entries, int nvec);

// Why a reply was refused; each becomes a log line naming the field.
enum class ReplyFault {
	None,
	ErrOutOfRange, // err is neither 0, an XEN_PCI_ERR_* nor a negative errno
	WrongCmd,      // the reply's cmd differs from the request's
	WrongDevice,   // domain/bus/devfn changed under us
	WrongOffset,   // offset/size changed under us
};
const char *reply_fault_name(ReplyFault f);

// The backend's answer to a conf op, read once from the page into @reply. Returns the checked
// err and value; a fault is reported through @fault and makes the op fail with -EPROTO. A
// read's value is cut to the access: pciback itself sends more bits when the access starts a
// wider field it emulates (its merge_value() does not mask to the access: a byte read of a
// capability's ID returns the ID and the next pointer), and the PCI core would cut them too.
struct ConfReply {
	int32_t err = 0;
	uint32_t value = 0;
};
Result<ConfReply> check_conf_reply(const xen_pci_op &sent, const xen_pci_op &reply,
				   ReplyFault *fault);

// pciback answers conf ops with XEN_PCI_ERR_*: the PCIBIOS_* value pci_ops must return.
int xen_pci_err_to_pcibios(int32_t err);
// The same as a negative errno, for callers outside pci_ops.
int xen_pci_err_to_errno(int32_t err);
// MSI ops carry either XEN_PCI_ERR_* or the raw errno of the backend's pci_enable_msi*();
// both become a valid negative errno (0 on success).
int msi_err_to_errno(uint32_t cmd, int32_t err);

// Checks the pirqs pciback returned for an enable_msix of @nvec entries: each entry index echoed
// unchanged, every vector non-zero, below @max_pirq and unique. @fault_index names the first bad
// entry for the log line.
enum class VectorFault { None, BadCount, EntryChanged, Zero, OutOfRange, Duplicate, CountInReply };
const char *vector_fault_name(VectorFault f);
VectorFault check_msix_vectors(const xen_msix_entry *sent, const xen_msix_entry *reply, int nvec,
			       uint32_t max_pirq, int *fault_index);

// PCI error recovery (XEN_PCI_OP_aer_*): what the frontend answers pciback for one step, as
// the native AER core would vote (drivers/pci/pcie/err.c). pciback kills the domain on NONE or
// DISCONNECT, so a missing callback must not read as either:
// - error_detected without a driver or a handler: NO_AER_DRIVER (recovery fails, domain lives);
// - mmio_enabled or slot_reset without the callback: no vote, which leaves the core's running
//   result at RECOVERED (it sets that before asking), so RECOVERED;
// - resume has no result; RECOVERED.
enum class AerStep : uint8_t { ErrorDetected, MmioEnabled, SlotReset, Resume };
enum class AerOutcome : uint8_t {
	Called,	    // the driver's callback ran and returned @driver_result
	NoDriver,   // no driver bound
	NoCallback, // the driver has no err_handler, or not this callback
};
uint32_t aer_answer(AerStep step, AerOutcome outcome, uint32_t driver_result);
// The step a XEN_PCI_OP_aer_* command asks for; false for any other command.
bool aer_step_of(uint32_t cmd, AerStep *step);
// Whether a request's err (the channel state pciback passes: pci_channel_io_normal, _frozen or
// _perm_failure, 1 to 3) is one a driver's error_detected can be given.
bool aer_channel_state_ok(int32_t state);

} // namespace pcifront
