// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "lib/xenbus_fsm.hpp"

using namespace pcifront;

TEST(XenbusFsm, NormalConnection)
{
	EXPECT_EQ(decide(XenbusStateInitialising, XenbusStateInitWait), FsmAction::Publish);
	EXPECT_EQ(decide(XenbusStateInitialised, XenbusStateConnected), FsmAction::Connect);
	EXPECT_EQ(decide(XenbusStateConnected, XenbusStateConnected), FsmAction::None);
}

TEST(XenbusFsm, PcibackReadyMeansInitialised)
{
	// pciback goes InitWait, publishes root-N, then Initialised: the watch often fires only
	// then, and that too must make us publish, once.
	EXPECT_EQ(decide(XenbusStateInitialising, XenbusStateInitialised), FsmAction::Publish);
	EXPECT_EQ(decide(XenbusStateInitialised, XenbusStateInitialised), FsmAction::None);
	EXPECT_EQ(decide(XenbusStateInitialised, XenbusStateInitWait), FsmAction::None);
}

TEST(XenbusFsm, MissedConnectedBeforeHotplug)
{
	EXPECT_EQ(decide(XenbusStateInitialised, XenbusStateReconfiguring), FsmAction::Connect);
	EXPECT_EQ(decide(XenbusStateReconfiguring, XenbusStateReconfiguring), FsmAction::None);
}

TEST(XenbusFsm, MissedInitWaitStillConnects)
{
	// The watch fired only after pciback had already gone Connected.
	EXPECT_EQ(decide(XenbusStateInitialising, XenbusStateConnected), FsmAction::Publish);
}

TEST(XenbusFsm, Hotplug)
{
	EXPECT_EQ(decide(XenbusStateConnected, XenbusStateReconfiguring), FsmAction::Reconfigure);
	EXPECT_EQ(decide(XenbusStateReconfiguring, XenbusStateReconfigured), FsmAction::Reconfigured);
	EXPECT_EQ(decide(XenbusStateReconfiguring, XenbusStateConnected), FsmAction::Reconfigured);
	EXPECT_EQ(decide(XenbusStateInitialising, XenbusStateReconfiguring), FsmAction::Protocol);
	// A repeated Reconfigured after we answered is harmless.
	EXPECT_EQ(decide(XenbusStateConnected, XenbusStateReconfigured), FsmAction::None);
}

TEST(XenbusFsm, ClosingFromAnywhereClosesOnce)
{
	for (int ours = XenbusStateUnknown; ours <= XenbusStateReconfigured; ours++) {
		const FsmAction want = ours == XenbusStateClosed ? FsmAction::None : FsmAction::Close;
		EXPECT_EQ(decide(ours, XenbusStateClosing), want) << xenbus_state_name(ours);
		EXPECT_EQ(decide(ours, XenbusStateClosed), want) << xenbus_state_name(ours);
	}
}

TEST(XenbusFsm, EveryPairHasANamedAnswer)
{
	for (int ours = -1; ours <= 9; ours++)
		for (int be = -1; be <= 9; be++)
			EXPECT_STRNE(fsm_action_name(decide(ours, be)), "unknown");
	EXPECT_EQ(decide(XenbusStateConnected, 42), FsmAction::Protocol);
	EXPECT_STREQ(xenbus_state_name(42), "invalid");
}
