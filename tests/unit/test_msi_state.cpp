// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "lib/msi_state.hpp"
#include "sim_backend.hpp"

using namespace pcifront;

// The NVMe sequence: enable MSI-X with one vector, tear it down (the built-in x86 code asks
// for disable_msi because msix_enabled was already cleared), then enable MSI-X with N vectors.
TEST(MsiState, TeardownSendsTheOpThatUndoesWhatIsEnabled)
{
	const Bdf nvme{0, 0, devfn(4, 0)};
	SimBackend be;
	be.add_device(nvme, 0x1b36, 0x0010);
	MsiState st;
	uint16_t one[1] = {0};

	uint32_t cmd = 0;
	ASSERT_EQ(st.enable_op(MsiMode::Msix, &cmd), 0);
	ASSERT_EQ(cmd, uint32_t{XEN_PCI_OP_enable_msix});
	xen_pci_sharedinfo sh = {};
	sh.op = *make_msix_op(nvme, one, 1).get();
	be.handle(&sh);
	ASSERT_EQ(sh.op.err, 0);
	st.enabled(MsiMode::Msix, 1);

	// Kernel says "disable_msi"; we send what undoes MSI-X.
	ASSERT_TRUE(st.disable_op(&cmd));
	EXPECT_EQ(cmd, uint32_t{XEN_PCI_OP_disable_msix});
	sh.op = *make_msi_op(cmd, nvme).get();
	be.handle(&sh);
	st.disabled();

	uint16_t many[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	ASSERT_EQ(st.enable_op(MsiMode::Msix, &cmd), 0);
	sh.op = *make_msix_op(nvme, many, 8).get();
	be.handle(&sh);
	EXPECT_EQ(sh.op.err, 0) << "backend still had MSI-X on: the disable went out as the wrong op";
}

TEST(MsiState, SendingTheKernelsChoiceReproducesTheInTreeFailure)
{
	// What the in-tree frontend does: forward disable_msi as asked. The backend keeps MSI-X
	// on and the next enable fails with -EALREADY. This proves the simulated backend models
	// the defect the state above avoids.
	const Bdf nvme{0, 0, devfn(4, 0)};
	SimBackend be;
	be.add_device(nvme, 0x1b36, 0x0010);
	uint16_t one[1] = {0};
	xen_pci_sharedinfo sh = {};
	sh.op = *make_msix_op(nvme, one, 1).get();
	be.handle(&sh);
	sh.op = *make_msi_op(XEN_PCI_OP_disable_msi, nvme).get();
	be.handle(&sh);
	sh.op = *make_msix_op(nvme, one, 1).get();
	be.handle(&sh);
	EXPECT_EQ(msi_err_to_errno(XEN_PCI_OP_enable_msix, sh.op.err), -KCXX_EALREADY);
}

TEST(MsiState, OneModeAtATime)
{
	MsiState st;
	uint32_t cmd;
	EXPECT_FALSE(st.disable_op(&cmd));
	st.enabled(MsiMode::Msi, 1);
	EXPECT_EQ(st.enable_op(MsiMode::Msix, &cmd), -KCXX_EBUSY);
	ASSERT_TRUE(st.disable_op(&cmd));
	EXPECT_EQ(cmd, uint32_t{XEN_PCI_OP_disable_msi});
	st.disabled();
	EXPECT_EQ(st.mode(), MsiMode::Off);
	EXPECT_EQ(st.enable_op(MsiMode::Off, &cmd), -KCXX_EINVAL);
}
