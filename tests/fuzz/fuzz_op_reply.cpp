// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the shared page's answer to an op. The input picks the request (conf read or
// write, device, offset, size, value; or an MSI-X enable of up to SH_INFO_MAX_VEC entries) and
// then is the whole xen_pci_op the backend left on the page, every field.
#include "fuzz_common.hpp"
#include "lib/pciif.hpp"

using namespace pcifront;

namespace {

bool is_errno(int e) { return e <= 0 && e >= -4095; }

void conf_op(ByteSource &in)
{
	const uint32_t cmd = in.u8() & 1 ? XEN_PCI_OP_conf_write : XEN_PCI_OP_conf_read;
	Bdf bdf;
	bdf.domain = in.u16();
	bdf.bus = in.u8();
	bdf.devfn = in.u8();
	const int offset = static_cast<int16_t>(in.u16());
	const int size = static_cast<int8_t>(in.u8());
	const uint32_t value = in.u32();
	auto req = make_conf_op(cmd, bdf, offset, size, value);
	if (!req.ok()) {
		// Refused before anything reaches the backend: only impossible requests.
		FUZZ_CHECK((size != 1 && size != 2 && size != 4) || offset < 0 ||
			   offset + size > kConfigSpaceSize || offset % size != 0 ||
			   (cmd == XEN_PCI_OP_conf_write && size < 4 && (value >> (8 * size)) != 0));
		return;
	}
	xen_pci_op reply;
	in.bytes(&reply, sizeof(reply));
	ReplyFault fault = ReplyFault::None;
	auto r = check_conf_reply(*req.get(), reply, &fault);
	FUZZ_CHECK(reply_fault_name(fault) != nullptr);
	if (!r.ok()) {
		FUZZ_CHECK(is_errno(r.error()) && r.error() != 0);
		return;
	}
	FUZZ_CHECK(fault == ReplyFault::None);
	// A read result never carries bits beyond the size asked for.
	if (cmd == XEN_PCI_OP_conf_read && size < 4)
		FUZZ_CHECK(r.get()->value < (1u << (8 * size)));
	FUZZ_CHECK(is_errno(xen_pci_err_to_errno(r.get()->err)));
}

void msix_op(ByteSource &in)
{
	Bdf bdf;
	bdf.bus = in.u8();
	bdf.devfn = in.u8();
	uint16_t entries[SH_INFO_MAX_VEC];
	const int nvec = static_cast<int8_t>(in.u8());
	for (auto &e : entries)
		e = in.u16() & 0x7ff;
	auto req = make_msix_op(bdf, entries, nvec);
	if (!req.ok()) {
		FUZZ_CHECK(nvec <= 0 || nvec > SH_INFO_MAX_VEC);
		return;
	}
	xen_pci_op reply;
	in.bytes(&reply, sizeof(reply));
	const uint32_t max_pirq = in.u32();
	int bad = -2;
	const VectorFault f = check_msix_vectors(req.get()->msix_entries, reply.msix_entries, nvec,
						 max_pirq, &bad);
	FUZZ_CHECK(vector_fault_name(f) != nullptr);
	if (f != VectorFault::None) {
		FUZZ_CHECK(f == VectorFault::BadCount || (bad >= 0 && bad < nvec));
		return;
	}
	// Accepted: every entry echoed, every pirq non-zero, in range and unique.
	for (int i = 0; i < nvec; ++i) {
		FUZZ_CHECK(reply.msix_entries[i].entry == req.get()->msix_entries[i].entry);
		FUZZ_CHECK(reply.msix_entries[i].vector != 0 && reply.msix_entries[i].vector < max_pirq);
		for (int j = 0; j < i; ++j)
			FUZZ_CHECK(reply.msix_entries[i].vector != reply.msix_entries[j].vector);
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ByteSource in{data, size};
	const uint8_t which = in.u8();
	if (which & 1)
		msix_op(in);
	else
		conf_op(in);
	// The err field of any reply becomes a valid return value for every caller.
	const int32_t err = static_cast<int32_t>(in.u32());
	FUZZ_CHECK(is_errno(xen_pci_err_to_errno(err)));
	const int pcibios = xen_pci_err_to_pcibios(err);
	FUZZ_CHECK(pcibios >= 0 && pcibios <= 0xff);
	const uint32_t cmds[] = {XEN_PCI_OP_enable_msi, XEN_PCI_OP_enable_msix, XEN_PCI_OP_disable_msi,
				 XEN_PCI_OP_disable_msix, in.u32()};
	for (uint32_t cmd : cmds)
		FUZZ_CHECK(is_errno(msi_err_to_errno(cmd, err)));
	fuzz_no_bad_errno();
	return 0;
}
