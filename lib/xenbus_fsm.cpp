// SPDX-License-Identifier: GPL-2.0
// Portable: built unchanged for the kernel and for the host tests.
#include "lib/xenbus_fsm.hpp"

namespace pcifront {

const char *fsm_action_name(FsmAction a)
{
	switch (a) {
	case FsmAction::None:
		return "none";
	case FsmAction::Publish:
		return "publish";
	case FsmAction::Connect:
		return "connect";
	case FsmAction::Reconfigure:
		return "reconfigure";
	case FsmAction::Reconfigured:
		return "reconfigured";
	case FsmAction::Close:
		return "close";
	case FsmAction::Protocol:
		return "protocol violation";
	}
	return "unknown";
}

const char *xenbus_state_name(int state)
{
	switch (state) {
	case XenbusStateUnknown:
		return "Unknown";
	case XenbusStateInitialising:
		return "Initialising";
	case XenbusStateInitWait:
		return "InitWait";
	case XenbusStateInitialised:
		return "Initialised";
	case XenbusStateConnected:
		return "Connected";
	case XenbusStateClosing:
		return "Closing";
	case XenbusStateClosed:
		return "Closed";
	case XenbusStateReconfiguring:
		return "Reconfiguring";
	case XenbusStateReconfigured:
		return "Reconfigured";
	}
	return "invalid";
}

FsmAction decide(int ours, int backend)
{
	switch (backend) {
	case XenbusStateUnknown:
	case XenbusStateInitialising:
		return FsmAction::None;
	case XenbusStateInitWait:
	case XenbusStateInitialised:
		// pciback goes InitWait, publishes its roots, then Initialised: from then on it waits
		// for our page. Publish once, from Initialising only.
		return ours == XenbusStateInitialising ? FsmAction::Publish : FsmAction::None;
	case XenbusStateConnected:
		switch (ours) {
		case XenbusStateInitialising:
			// We missed InitWait (it changed again before the watch fired): publish now,
			// then connect when the next watch event arrives.
			return FsmAction::Publish;
		case XenbusStateInitialised:
			return FsmAction::Connect;
		case XenbusStateReconfiguring:
			return FsmAction::Reconfigured;
		default:
			return FsmAction::None;
		}
	case XenbusStateClosing:
	case XenbusStateClosed:
		return ours == XenbusStateClosed ? FsmAction::None : FsmAction::Close;
	case XenbusStateReconfiguring:
		switch (ours) {
		case XenbusStateConnected:
			return FsmAction::Reconfigure;
		case XenbusStateInitialised:
			// We missed Connected (a hotplug began first): connect, then look again.
			return FsmAction::Connect;
		case XenbusStateReconfiguring:
			return FsmAction::None;
		default:
			return FsmAction::Protocol;
		}
	case XenbusStateReconfigured:
		return ours == XenbusStateReconfiguring ? FsmAction::Reconfigured : FsmAction::None;
	}
	return FsmAction::Protocol;
}

} // namespace pcifront
