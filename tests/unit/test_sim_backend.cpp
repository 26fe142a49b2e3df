// SPDX-License-Identifier: GPL-2.0
// The simulated backend itself must behave like pciback, or the other tests prove nothing.
#include <gtest/gtest.h>

#include "sim_backend.hpp"

using namespace pcifront;

TEST(SimBackend, AnswersLikePciback)
{
	SimBackend be;
	be.add_device(Bdf{0, 0, devfn(2, 0)}, 0x8086, 0x100e, 4096);
	xen_pci_sharedinfo sh = {};
	sh.flags = XEN_PCIF_active;
	sh.op = *make_conf_op(XEN_PCI_OP_conf_read, Bdf{0, 0, devfn(2, 0)}, 0x102, 2, 0).get();
	be.handle(&sh);
	EXPECT_EQ(sh.op.err, XEN_PCI_ERR_success);
	EXPECT_EQ(sh.flags, 0u);
	sh.op.cmd = XEN_PCI_OP_aer_detected;
	be.handle(&sh);
	EXPECT_EQ(sh.op.err, XEN_PCI_ERR_not_implemented);
	EXPECT_EQ(be.ops, 2);
}
