// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "kcxx/pci.h"
#include "lib/aer_budget.hpp"
#include "lib/pciif.hpp"
#include "sim_backend.hpp"

using namespace pcifront;

static const Bdf kNic{0, 0, devfn(2, 0)};

// One op through a simulated shared page: marshal, let the backend answer, validate.
static kcxx::Result<ConfReply> round_trip(SimBackend &be, const xen_pci_op &op,
					  ReplyFault *fault)
{
	xen_pci_sharedinfo sh = {};
	sh.op = op;
	sh.flags = XEN_PCIF_active;
	be.handle(&sh);
	EXPECT_EQ(sh.flags & XEN_PCIF_active, 0u);
	const xen_pci_op reply = sh.op; // read once
	return check_conf_reply(op, reply, fault);
}

TEST(ConfOp, RefusesBadRequestsBeforeTheBackend)
{
	EXPECT_TRUE(make_conf_op(XEN_PCI_OP_conf_read, kNic, 0, 4, 0).ok());
	EXPECT_TRUE(make_conf_op(XEN_PCI_OP_conf_read, kNic, 4095, 1, 0).ok());
	EXPECT_FALSE(make_conf_op(XEN_PCI_OP_conf_read, kNic, 0, 3, 0).ok());
	EXPECT_FALSE(make_conf_op(XEN_PCI_OP_conf_read, kNic, 2, 4, 0).ok()); // misaligned
	EXPECT_FALSE(make_conf_op(XEN_PCI_OP_conf_read, kNic, 4096, 1, 0).ok());
	EXPECT_FALSE(make_conf_op(XEN_PCI_OP_conf_read, kNic, -4, 4, 0).ok());
	EXPECT_FALSE(make_conf_op(XEN_PCI_OP_conf_write, kNic, 0, 1, 0x100).ok());
	EXPECT_FALSE(make_conf_op(XEN_PCI_OP_enable_msi, kNic, 0, 4, 0).ok());
	EXPECT_FALSE(make_conf_op(XEN_PCI_OP_conf_read, Bdf{0x10000, 0, 0}, 0, 4, 0).ok());
}

TEST(ConfOp, ReadsAndWritesEverySizeThroughTheBackend)
{
	SimBackend be;
	be.add_device(kNic, 0x8086, 0x100e);
	ReplyFault f;
	auto r = round_trip(be, *make_conf_op(XEN_PCI_OP_conf_read, kNic, 0, 4, 0).get(), &f);
	ASSERT_TRUE(r.ok());
	EXPECT_EQ(r.get()->value, 0x100e8086u);
	for (int size : {1, 2, 4}) {
		const uint32_t v = size == 4 ? 0xa5a55a5au : (1u << (size * 8)) - 3;
		auto w = round_trip(be, *make_conf_op(XEN_PCI_OP_conf_write, kNic, 0x40, size, v).get(), &f);
		ASSERT_TRUE(w.ok());
		EXPECT_EQ(w.get()->err, XEN_PCI_ERR_success);
		auto rd = round_trip(be, *make_conf_op(XEN_PCI_OP_conf_read, kNic, 0x40, size, 0).get(), &f);
		ASSERT_TRUE(rd.ok());
		EXPECT_EQ(rd.get()->value, v) << "size " << size;
	}
}

TEST(ConfOp, BackendErrorsMapToPcibios)
{
	SimBackend be;
	be.add_device(kNic, 0x8086, 0x100e);
	ReplyFault f;
	auto missing = round_trip(be, *make_conf_op(XEN_PCI_OP_conf_read, Bdf{0, 0, devfn(3, 0)}, 0, 4, 0).get(), &f);
	ASSERT_TRUE(missing.ok());
	EXPECT_EQ(xen_pci_err_to_pcibios(missing.get()->err), KCXX_PCIBIOS_DEVICE_NOT_FOUND);
	auto beyond = round_trip(be, *make_conf_op(XEN_PCI_OP_conf_read, kNic, 0x100, 4, 0).get(), &f);
	ASSERT_TRUE(beyond.ok());
	EXPECT_EQ(xen_pci_err_to_pcibios(beyond.get()->err), KCXX_PCIBIOS_BAD_REGISTER_NUMBER);

	EXPECT_EQ(xen_pci_err_to_pcibios(XEN_PCI_ERR_not_implemented), KCXX_PCIBIOS_FUNC_NOT_SUPPORTED);
	EXPECT_EQ(xen_pci_err_to_pcibios(XEN_PCI_ERR_access_denied), KCXX_PCIBIOS_SET_FAILED);
	EXPECT_EQ(xen_pci_err_to_pcibios(-77), KCXX_PCIBIOS_SET_FAILED); // never a raw negative
	EXPECT_EQ(xen_pci_err_to_errno(XEN_PCI_ERR_dev_not_found), -KCXX_ENODEV);
	EXPECT_EQ(xen_pci_err_to_errno(XEN_PCI_ERR_op_failed), -KCXX_EIO);
}

TEST(ConfOp, EveryMisbehaviourIsCaughtAndNamed)
{
	const struct {
		SimBackend::Fault fault;
		ReplyFault expect;
	} cases[] = {
		{SimBackend::Fault::WrongDevice, ReplyFault::WrongDevice},
		{SimBackend::Fault::WrongCmd, ReplyFault::WrongCmd},
		{SimBackend::Fault::WrongOffset, ReplyFault::WrongOffset},
		{SimBackend::Fault::GarbageErr, ReplyFault::ErrOutOfRange},
		{SimBackend::Fault::HugeErr, ReplyFault::ErrOutOfRange},
	};
	for (const auto &c : cases) {
		SimBackend be;
		be.add_device(kNic, 0x8086, 0x100e);
		be.set_fault(c.fault);
		ReplyFault f = ReplyFault::None;
		auto r = round_trip(be, *make_conf_op(XEN_PCI_OP_conf_read, kNic, 0x0, 2, 0).get(), &f);
		EXPECT_EQ(r.error(), -KCXX_EPROTO) << reply_fault_name(c.expect);
		EXPECT_EQ(f, c.expect) << reply_fault_name(f);
		EXPECT_STRNE(reply_fault_name(f), "unknown");
	}
}

// pciback's own answer to a byte or word read that starts a wider field it emulates has the
// field's other bits above the access (xen_pcibk_config_read's merge_value does not mask to
// the access): QEMU's byte reads of a capability's ID in a device-model stubdomain get it. The
// value is cut to the access, as the PCI core would; the access does not fail.
TEST(ConfOp, AReadValueWiderThanItsAccessIsCutToIt)
{
	for (const int size : {1, 2}) {
		SimBackend be;
		be.add_device(kNic, 0x8086, 0x100e);
		be.set_fault(SimBackend::Fault::WideValue);
		ReplyFault f = ReplyFault::None;
		auto r = round_trip(be, *make_conf_op(XEN_PCI_OP_conf_read, kNic, 0x0, size, 0).get(), &f);
		ASSERT_TRUE(r.ok()) << "size " << size << ": " << reply_fault_name(f);
		EXPECT_EQ(f, ReplyFault::None);
		EXPECT_EQ(r.get()->value, size == 1 ? 0x86u : 0x8086u);
	}
	xen_pci_op sent = *make_conf_op(XEN_PCI_OP_conf_read, kNic, 0x40, 1, 0).get();
	xen_pci_op reply = sent;
	reply.value = 0x8011; // a capability's ID (0x11, MSI-X) and its next pointer
	auto r = check_conf_reply(sent, reply, nullptr);
	ASSERT_TRUE(r.ok());
	EXPECT_EQ(r.get()->value, 0x11u);
}

TEST(MsiErr, RawErrnosAndXenCodesBothBecomeErrnos)
{
	EXPECT_EQ(msi_err_to_errno(XEN_PCI_OP_enable_msix, -KCXX_EALREADY), -KCXX_EALREADY);
	EXPECT_EQ(msi_err_to_errno(XEN_PCI_OP_enable_msix, -KCXX_ENODEV), -KCXX_ENODEV);
	EXPECT_EQ(msi_err_to_errno(XEN_PCI_OP_enable_msi, XEN_PCI_ERR_op_failed), -KCXX_EIO);
	EXPECT_EQ(msi_err_to_errno(XEN_PCI_OP_enable_msi, 0), 0);
	EXPECT_EQ(msi_err_to_errno(XEN_PCI_OP_enable_msix, 5), -KCXX_EPROTO);
	EXPECT_EQ(msi_err_to_errno(XEN_PCI_OP_enable_msix, -100000), -KCXX_EPROTO);
}

static VectorFault msix_with(SimBackend::Fault fault, int nvec, int *idx)
{
	SimBackend be;
	be.add_device(kNic, 0x8086, 0x10d3);
	be.set_fault(fault);
	uint16_t entries[SH_INFO_MAX_VEC];
	for (int i = 0; i < nvec; i++)
		entries[i] = static_cast<uint16_t>(i);
	xen_pci_sharedinfo sh = {};
	sh.op = *make_msix_op(kNic, entries, nvec).get();
	const xen_pci_op sent = sh.op;
	be.handle(&sh);
	const xen_pci_op reply = sh.op;
	EXPECT_EQ(reply.err, 0);
	return check_msix_vectors(sent.msix_entries, reply.msix_entries, nvec, 1024, idx);
}

TEST(MsixVectors, GoodRepliesPass)
{
	int idx;
	EXPECT_EQ(msix_with(SimBackend::Fault::None, 1, &idx), VectorFault::None);
	EXPECT_EQ(msix_with(SimBackend::Fault::None, SH_INFO_MAX_VEC, &idx), VectorFault::None);
	EXPECT_EQ(idx, -1);
}

TEST(MsixVectors, BadRepliesAreRefusedWithTheEntry)
{
	int idx;
	EXPECT_EQ(msix_with(SimBackend::Fault::ZeroVector, 4, &idx), VectorFault::Zero);
	EXPECT_EQ(idx, 1);
	EXPECT_EQ(msix_with(SimBackend::Fault::DupVector, 4, &idx), VectorFault::Duplicate);
	EXPECT_EQ(idx, 1);
	EXPECT_EQ(msix_with(SimBackend::Fault::ChangedEntry, 4, &idx), VectorFault::EntryChanged);
	EXPECT_EQ(idx, 0);
	EXPECT_EQ(msix_with(SimBackend::Fault::HugeVector, 4, &idx), VectorFault::OutOfRange);
	EXPECT_EQ(idx, 0);
	xen_msix_entry e[1] = {};
	EXPECT_EQ(check_msix_vectors(e, e, 0, 1024, &idx), VectorFault::BadCount);
	EXPECT_EQ(check_msix_vectors(e, e, SH_INFO_MAX_VEC + 1, 1024, &idx), VectorFault::BadCount);
}

TEST(MsixOp, RequestIsBounded)
{
	uint16_t entries[SH_INFO_MAX_VEC + 1] = {};
	EXPECT_FALSE(make_msix_op(kNic, entries, 0).ok());
	EXPECT_FALSE(make_msix_op(kNic, entries, SH_INFO_MAX_VEC + 1).ok());
	entries[0] = 2048;
	EXPECT_FALSE(make_msix_op(kNic, entries, 1).ok());
}

// Issue 18.5: pciback kills the domain when a step is answered NONE (or DISCONNECT); a driver
// without mmio_enabled or slot_reset must be answered as the native AER core counts it: no vote.
TEST(AerAnswer, MissingCallbacksAreAnsweredAsTheAerCoreWould)
{
	for (AerStep s : {AerStep::MmioEnabled, AerStep::SlotReset}) {
		EXPECT_EQ(aer_answer(s, AerOutcome::NoCallback, KCXX_PCI_ERS_RESULT_NONE),
			  uint32_t{KCXX_PCI_ERS_RESULT_RECOVERED});
		EXPECT_EQ(aer_answer(s, AerOutcome::NoDriver, KCXX_PCI_ERS_RESULT_NONE),
			  uint32_t{KCXX_PCI_ERS_RESULT_RECOVERED});
	}
	EXPECT_EQ(aer_answer(AerStep::ErrorDetected, AerOutcome::NoCallback, KCXX_PCI_ERS_RESULT_NONE),
		  uint32_t{KCXX_PCI_ERS_RESULT_NO_AER_DRIVER});
	EXPECT_EQ(aer_answer(AerStep::ErrorDetected, AerOutcome::NoDriver, KCXX_PCI_ERS_RESULT_NONE),
		  uint32_t{KCXX_PCI_ERS_RESULT_NO_AER_DRIVER});
	EXPECT_EQ(aer_answer(AerStep::Resume, AerOutcome::NoCallback, KCXX_PCI_ERS_RESULT_NONE),
		  uint32_t{KCXX_PCI_ERS_RESULT_RECOVERED});
}

// Issue 18 review: pciback passes pci_channel_io_normal, _frozen or _perm_failure (1 to 3).
TEST(AerAnswer, OnlyTheThreeChannelStatesAreValid)
{
	for (int32_t v : {1, 2, 3})
		EXPECT_TRUE(aer_channel_state_ok(v));
	for (int32_t v : {0, 4, -1, 77, INT32_MIN, INT32_MAX})
		EXPECT_FALSE(aer_channel_state_ok(v));
}

TEST(AerAnswer, ADriversOwnVoteIsPassedOn)
{
	for (uint32_t v : {KCXX_PCI_ERS_RESULT_NONE, KCXX_PCI_ERS_RESULT_CAN_RECOVER,
			   KCXX_PCI_ERS_RESULT_NEED_RESET, KCXX_PCI_ERS_RESULT_DISCONNECT,
			   KCXX_PCI_ERS_RESULT_RECOVERED}) {
		EXPECT_EQ(aer_answer(AerStep::ErrorDetected, AerOutcome::Called, v), v);
		EXPECT_EQ(aer_answer(AerStep::MmioEnabled, AerOutcome::Called, v), v);
		EXPECT_EQ(aer_answer(AerStep::SlotReset, AerOutcome::Called, v), v);
	}
}

TEST(AerAnswer, OnlyTheFourAerCommandsAreSteps)
{
	AerStep s = AerStep::Resume;
	EXPECT_TRUE(aer_step_of(XEN_PCI_OP_aer_detected, &s));
	EXPECT_EQ(s, AerStep::ErrorDetected);
	EXPECT_TRUE(aer_step_of(XEN_PCI_OP_aer_mmio, &s));
	EXPECT_EQ(s, AerStep::MmioEnabled);
	EXPECT_TRUE(aer_step_of(XEN_PCI_OP_aer_slotreset, &s));
	EXPECT_EQ(s, AerStep::SlotReset);
	EXPECT_TRUE(aer_step_of(XEN_PCI_OP_aer_resume, &s));
	EXPECT_EQ(s, AerStep::Resume);
	for (uint32_t cmd : {uint32_t{XEN_PCI_OP_conf_read}, uint32_t{XEN_PCI_OP_enable_msix}, 77u})
		EXPECT_FALSE(aer_step_of(cmd, &s));
}

TEST(BdfName, PrintsAsPciNameDoes)
{
	EXPECT_STREQ(pcifront::bdf_name({0, 0, pcifront::devfn(2, 0)}).text, "0000:00:02.0");
	EXPECT_STREQ(pcifront::bdf_name({0xabcd, 0xfe, pcifront::devfn(0x1f, 7)}).text,
		     "abcd:fe:1f.7");
	// Fields wider than their place are cut to it: the text never outgrows its buffer.
	EXPECT_STREQ(pcifront::bdf_name({0x12345, 0x1ff, 0x1ff}).text, "2345:ff:1f.7");
}

// At most kRequests AER answers within kSpanNs; the next once the oldest is that old.
TEST(AerBudget, AtMostSoManyAnswersWithinTheSpan)
{
	AerBudget b;
	const uint64_t t0 = 5000;
	for (unsigned i = 0; i < AerBudget::kRequests; ++i) {
		ASSERT_TRUE(b.allows(t0 + i)) << i;
		b.spend(t0 + i);
	}
	EXPECT_FALSE(b.allows(t0 + AerBudget::kRequests));
	EXPECT_FALSE(b.allows(t0 + AerBudget::kSpanNs - 1));
	EXPECT_TRUE(b.allows(t0 + AerBudget::kSpanNs));
	b.spend(t0 + AerBudget::kSpanNs);
	EXPECT_FALSE(b.allows(t0 + AerBudget::kSpanNs)); // the second oldest is still young
	EXPECT_TRUE(b.allows(t0 + 1 + AerBudget::kSpanNs));
}
