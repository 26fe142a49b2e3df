// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: MSI and MSI-X set-up against a backend whose every answer comes from the
// input: transport failures, err fields, the MSI pirq, every MSI-X entry and vector, and whether
// Xen knows a pirq. The input also picks the sequence of enables, disables and resets over up to
// 40 devices, and which allocations of a device's record fail (the table's 256 devices are the
// unit test's). Vectors handed to the kernel must be checked ones, no pirq may be live for two
// devices, and whatever went live is released exactly once.
#include <map>

#include "fuzz_common.hpp"
#include "lib/msi_table.hpp"

using namespace pcifront;

namespace {

struct FuzzBackend {
	ByteSource *in = nullptr;
	std::map<uint32_t, int> live; // pirq -> how many devices hold it (must stay 1)
	int enabled_calls = 0, released_calls = 0;

	int call(const xen_pci_op &req, xen_pci_op *reply)
	{
		const uint8_t how = in->u8();
		if (how % 8 == 0)
			return -KCXX_ETIMEDOUT;
		*reply = req;
		if (how % 8 == 1) { // anything at all, every field
			in->bytes(reply, sizeof(*reply));
			return 0;
		}
		const uint8_t e = in->u8();
		reply->err = e < 200 ? 0 : e < 220 ? -KCXX_EALREADY : static_cast<int32_t>(0u - in->u32()); // any value, INT32_MIN too
		// MSI: the pirq. MSI-X: 0 when enabled (mostly, so that the success path is reached).
		reply->value = in->u8() & 1 ? in->u32() : req.cmd == XEN_PCI_OP_enable_msix ? 0 : in->u8();
		for (int i = 0; i < SH_INFO_MAX_VEC; ++i) {
			reply->msix_entries[i].vector = in->u8() & 3 ? in->u8() + 16u * in->u8() : in->u32();
			if (in->u8() == 0xff)
				reply->msix_entries[i].entry = in->u16();
		}
		return 0;
	}
	bool pirq_valid(uint32_t) { return in->u8() != 0xee; }
	void on_enabled(MsiDevice &d)
	{
		++enabled_calls;
		for (int i = 0; i < d.state.nvec(); ++i)
			FUZZ_CHECK(++live[d.pirqs[i]] == 1);
	}
	void on_released(MsiDevice &d)
	{
		++released_calls;
		for (int i = 0; i < d.state.nvec(); ++i) {
			FUZZ_CHECK(live[d.pirqs[i]] == 1);
			live.erase(d.pirqs[i]);
		}
	}
};

Bdf pick(ByteSource &in)
{
	Bdf b;
	const uint8_t k = in.u8() % 40;
	b.bus = k / 32;
	b.devfn = devfn(k % 32, 0);
	return b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ByteSource in{data, size};
	FuzzBackend be;
	be.in = &in;
	static MsiTable table; // reset below: big, and libFuzzer calls us millions of times
	table = MsiTable();
	for (int ops = 0; !in.empty() && ops < 200; ++ops) {
		const Bdf bdf = pick(in);
		const uint8_t what = in.u8();
		host_fail_next_alloc = (what & 0x80) ? 1 : 0; // this op's new record, if any, fails
		switch (what % 6) {
		case 0:
		case 1: {
			uint16_t entries[SH_INFO_MAX_VEC];
			for (auto &e : entries)
				e = in.u8();
			const int nvec = static_cast<int8_t>(in.u8()) % (SH_INFO_MAX_VEC + 4);
			int vectors[SH_INFO_MAX_VEC] = {};
			const MsiOutcome out = table.enable(be, bdf, MsiMode::Msix, entries, nvec, vectors);
			FUZZ_CHECK(msi_failure_name(out.why) != nullptr && out.err <= 0 && out.err >= -4095);
			if (out.err == 0) {
				FUZZ_CHECK(out.why == MsiFailure::None && nvec > 0 && nvec <= SH_INFO_MAX_VEC);
				const MsiDevice *d = table.find(bdf);
				FUZZ_CHECK(d && d->state.mode() == MsiMode::Msix && d->state.nvec() == nvec);
				for (int i = 0; i < nvec; ++i)
					FUZZ_CHECK(vectors[i] > 0 && static_cast<uint32_t>(vectors[i]) < kMaxPirq &&
						   be.live.count(static_cast<uint32_t>(vectors[i])));
			} else {
				FUZZ_CHECK(out.why != MsiFailure::None);
			}
			break;
		}
		case 2: {
			int vector = 0;
			const MsiOutcome out = table.enable(be, bdf, MsiMode::Msi, nullptr, 1, &vector);
			FUZZ_CHECK(out.err <= 0 && out.err >= -4095);
			if (out.err == 0)
				FUZZ_CHECK(vector > 0 && static_cast<uint32_t>(vector) < kMaxPirq &&
					   be.live.count(static_cast<uint32_t>(vector)));
			break;
		}
		case 3: {
			const MsiOutcome out = table.disable(be, bdf, in.u8() & 1 ? MsiMode::Msi : MsiMode::Msix);
			FUZZ_CHECK(out.err <= 0 && out.err >= -4095);
			break;
		}
		case 4:
			table.forget(be, bdf);
			FUZZ_CHECK(!table.find(bdf) || table.find(bdf)->state.mode() == MsiMode::Off);
			break;
		default:
			table.forget_all(be);
			FUZZ_CHECK(be.live.empty());
			break;
		}
		host_fail_next_alloc = 0;
		FUZZ_CHECK(table.active() <= MsiTable::kMaxDevices);
		// What is live is exactly what the table holds.
		size_t held = 0;
		for (int i = 0; i < MsiTable::kMaxDevices; ++i)
			if (const MsiDevice *d = table.at(i); d && d->used)
				held += static_cast<size_t>(d->state.nvec());
		FUZZ_CHECK(held == be.live.size());
	}
	table.forget_all(be);
	FUZZ_CHECK(be.live.empty() && be.enabled_calls == be.released_calls);
	fuzz_no_bad_errno();
	return 0;
}
