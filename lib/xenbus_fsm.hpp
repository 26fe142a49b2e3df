// SPDX-License-Identifier: GPL-2.0
// What the frontend does when the backend's xenbus state changes. An exhaustive decision table,
// kept free of kernel calls so every pair of states is tested on the host.
// Portable: built unchanged for the kernel and for the host tests.
#pragma once

#include "kcxx/xen_public.h"

namespace pcifront {

enum class FsmAction {
	None,	     // nothing to do (duplicate, or a state we wait through)
	Publish,     // backend ready for us: share page + event channel, go Initialised
	Connect,     // backend Connected: read roots, scan, go Connected
	Reconfigure, // backend Reconfiguring: re-read the device list (hotplug)
	Reconfigured, // backend finished: go back to Connected after Reconfigured
	Close,	      // backend closing or gone: remove devices, tear down, go Closed
	Protocol,     // a state that makes no sense from here: log, stay put
};

const char *fsm_action_name(FsmAction a);
const char *xenbus_state_name(int state);

// @ours is our current XenbusState, @backend the backend's new one (already range-checked).
FsmAction decide(int ours, int backend);

} // namespace pcifront
