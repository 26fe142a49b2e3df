// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-hotplug: the Reconfiguring / Reconfigured handshake behind `xl pci-attach` and
// `xl pci-detach` on a running driver domain.
//
// The frontend reads the device list (num_devs, state-N, vdev-N) once per round and hands it
// here (include/xpf/hotplug.h). Backend Reconfiguring: each device listed as Closing that is on
// our buses is removed, its driver unbound first, before the frontend answers Reconfiguring,
// because pciback stops exporting it as soon as it sees that answer. Backend Reconfigured: the
// frontend rescans its roots between attach_begin and attach_end, and each device listed as
// exported must then be there before the frontend answers Connected. Both steps are idempotent: a
// device already gone, or already present, is left as it is, so a repeated or reordered state
// change does no harm.
#include "xpf/hotplug.h"
#include "entry.h"
#include "kcxx/alloc.hpp"
#include "kcxx/debugfs.hpp"
#include "kcxx/pci.hpp"
#include "kcxx/sync.hpp"
#include "kcxx/time.hpp"
#include "kcxx/xen.hpp"
#include "lib/hotplug_list.hpp"
#include "xpf/evtchn.h"

using namespace pcifront;

static_assert(XPF_HOTPLUG_MAX_DEVS == kMaxDevs, "one entry of xpf_hotplug_seen per listed device");

namespace
{

constexpr const char *kMod = "xen-pcifront-hotplug";

struct Counters {
	uint64_t rounds = 0;	    // Reconfiguring handshakes
	uint64_t detached = 0;	    // devices removed on the backend's request
	uint64_t detach_absent = 0; // listed as Closing but not (or no longer) on our buses
	uint64_t attached = 0;	    // devices that appeared in a Reconfigured rescan
	uint64_t missing = 0;	    // listed as exported but not on our buses after the rescan
	uint64_t refused = 0;	    // list entries refused (bad state, vdev, duplicate)
	uint64_t list_errors = 0;   // rounds whose list could not be used at all
	uint64_t rescan_errors = 0;
};

kcxx::LockClass lock_class{"xpf_hotplug.lock", {}};

struct State {
	kcxx::Mutex lock{lock_class}; // the counters
	Counters c;
	kcxx::DebugfsDir debugfs;   // hotplug/: before the file in it, so destroyed after it
	kcxx::DebugfsFile counters; // hotplug/counters
};

kcxx::StaticBox<State> state;

void add(uint64_t Counters::*field, uint64_t n)
{
	kcxx::MutexGuard g(state->lock);
	state->c.*field += n;
}

// The device at @bdf on one of @xdev's own root buses, or nothing.
kcxx::PciDevRef our_device(struct xenbus_device *xdev, const Bdf &bdf)
{
	return kcxx::PciDevRef::find_under(xen::XenbusDevice(xdev).dev().raw(), bdf.domain, bdf.bus,
					   bdf.devfn);
}

// The list the frontend read, or nullptr when it could not be used (logged and counted);
// entries refused by the checks are logged and counted, and stay in it, marked.
const HotplugList *usable(struct xenbus_device *xdev, const HotplugList *list, int read_error,
			  const char *step)
{
	const xen::XenbusDevice x(xdev);
	if (!list) {
		// Missing or malformed is the backend's doing; anything else (no memory, xenstore
		// busy past its retries, no permission) is the reading's.
		const char *why = "it could not be read";
		if (read_error == -KCXX_ENOENT)
			why = "num_devs missing";
		else if (read_error == -KCXX_EINVAL || read_error == -KCXX_ERANGE)
			why = "num_devs invalid";
		x.log(KCXX_LOG_ERR,
		      "%s: the backend's device list is unusable (%s, %d): no device added or "
		      "removed",
		      step, why, read_error);
		add(&Counters::list_errors, 1);
		return nullptr;
	}
	for (uint32_t i = 0; i < list->num_devs; ++i) {
		const HotplugEntry &e = list->entries[i];
		// Up to 256 a round, and the backend may repeat rounds: rate-limited.
		if (e.fault != HotplugFault::None)
			x.log_ratelimited(
			    KCXX_LOG_ERR,
			    "%s: device entry %u refused: %s (state %u); it is left as it is", step,
			    e.index, hotplug_fault_name(e.fault), e.state);
	}
	add(&Counters::refused, list->faults());
	return list;
}

// Removes the device @e names if it is on our buses: true when it was.
bool remove_one(struct xenbus_device *xdev, const HotplugEntry &e)
{
	const xen::XenbusDevice x(xdev);
	// Look up and remove under the rescan lock: nothing else adds or removes meanwhile. Our
	// reference keeps the pci_dev until the end.
	kcxx::PciDevRef pdev;
	{
		const kcxx::RescanGuard g;
		pdev = our_device(xdev, e.vdev);
		if (pdev) {
			kcxx::PciDev d(pdev.get());
			x.log(KCXX_LOG_INFO, "detach: removing %s (device entry %u)", d.name(),
			      e.index);
			// Unbinds the driver (its remove still has config space), then removes. The
			// time it takes is the toolstack's wait too (libxl gives the round 10 s).
			const uint64_t t0 = kcxx::now_ns();
			d.stop_and_remove();
			x.log(KCXX_LOG_INFO, "detach: removed %s (device entry %u) in %llu ms",
			      d.name(), e.index,
			      static_cast<unsigned long long>((kcxx::now_ns() - t0) / 1000000u));
		}
	}
	if (!pdev)
		x.log(KCXX_LOG_INFO,
		      "detach: %s (device entry %u) is not on our buses: nothing to remove",
		      bdf_name(e.vdev).text, e.index);
	return static_cast<bool>(pdev);
}

void show(kcxx::Seq &seq)
{
	kcxx::MutexGuard g(state->lock);
	const Counters &c = state->c;
	seq.print(
	    "rounds %llu detached %llu detach_absent %llu attached %llu missing %llu "
	    "refused %llu list_errors %llu rescan_errors %llu\n",
	    static_cast<unsigned long long>(c.rounds), static_cast<unsigned long long>(c.detached),
	    static_cast<unsigned long long>(c.detach_absent),
	    static_cast<unsigned long long>(c.attached), static_cast<unsigned long long>(c.missing),
	    static_cast<unsigned long long>(c.refused),
	    static_cast<unsigned long long>(c.list_errors),
	    static_cast<unsigned long long>(c.rescan_errors));
}

} // namespace

extern "C" int xpf_hotplug_detach(struct xenbus_device *xdev, const struct xpf_hotplug_list *l,
				  int read_error)
{
	const xen::XenbusDevice x(xdev);
	add(&Counters::rounds, 1);
	// Fail closed: a detach we cannot read is refused as a whole, before anything is removed.
	// The frontend then reports the error to the toolstack (xenbus_dev_fatal) instead of
	// answering, so pciback never resets a device whose driver is still bound here.
	const HotplugList *list = usable(xdev, l, read_error, "detach");
	if (!list) {
		x.log(KCXX_LOG_ERR,
		      "detach: refused: the device list cannot be read, so which device is "
		      "going cannot be told; every device stays bound");
		return read_error < 0 ? read_error : -KCXX_EINVAL;
	}
	if (const int bad = list->first_unsafe_detach(); bad >= 0) {
		x.log(KCXX_LOG_ERR,
		      "detach: refused: device entry %d (state-%d, vdev-%d) cannot be "
		      "acted on (%s); nothing removed, every device stays bound",
		      bad, bad, bad, hotplug_fault_name(list->entries[bad].fault));
		add(&Counters::list_errors, 1);
		return -KCXX_EINVAL;
	}
	uint32_t removed = 0, absent = 0;
	for (uint32_t i = 0; i < list->num_devs; ++i) {
		const HotplugEntry &e = list->entries[i];
		if (e.fault != HotplugFault::None || e.action != HotplugAction::Detach)
			continue;
		++(remove_one(xdev, e) ? removed : absent);
	}
	add(&Counters::detached, removed);
	add(&Counters::detach_absent, absent);
	// Other refused entries (logged by usable()) concern no device being detached.
	return 0;
}

extern "C" void xpf_hotplug_attach_begin(struct xenbus_device *xdev,
					 const struct xpf_hotplug_list *list,
					 struct xpf_hotplug_seen *seen)
{
	*seen = {};
	for (uint32_t i = 0; list && i < list->num_devs; ++i) {
		const HotplugEntry &e = list->entries[i];
		if (e.fault == HotplugFault::None && e.action == HotplugAction::Present)
			seen->had[i] = static_cast<bool>(our_device(xdev, e.vdev));
	}
}

extern "C" int xpf_hotplug_attach_end(struct xenbus_device *xdev, const struct xpf_hotplug_list *l,
				      int read_error, const struct xpf_hotplug_seen *seen,
				      int rescan_error)
{
	const xen::XenbusDevice x(xdev);
	if (rescan_error)
		x.log(KCXX_LOG_ERR, "attach: rescanning the backend's roots failed (%d)",
		      rescan_error);
	add(&Counters::rescan_errors, rescan_error != 0);
	// Without a list the rescan still ran: a device the backend exported should not stay
	// invisible because the list around it is broken.
	const HotplugList *list = usable(xdev, l, read_error, "attach");
	if (!list)
		return rescan_error ? rescan_error : read_error < 0 ? read_error : -KCXX_EINVAL;
	uint32_t appeared = 0, missing = 0;
	for (uint32_t i = 0; i < list->num_devs; ++i) {
		const HotplugEntry &e = list->entries[i];
		if (e.fault != HotplugFault::None || e.action != HotplugAction::Present ||
		    seen->had[i])
			continue;
		if (const kcxx::PciDevRef pdev = our_device(xdev, e.vdev)) {
			x.log(KCXX_LOG_INFO, "attach: %s added (device entry %u)",
			      kcxx::PciDev(pdev.get()).name(), e.index);
			++appeared;
		} else {
			x.log(KCXX_LOG_ERR,
			      "attach: the backend exported %s (device entry %u) but it is "
			      "not on our buses after the rescan",
			      bdf_name(e.vdev).text, e.index);
			++missing;
		}
	}
	add(&Counters::attached, appeared);
	add(&Counters::missing, missing);
	if (rescan_error)
		return rescan_error;
	return missing ? -KCXX_ENODEV : list->faults() ? -KCXX_EINVAL : 0;
}

extern "C" uint64_t xpf_hotplug_reconfigurations(void)
{
	if (!state)
		return 0;
	kcxx::MutexGuard g(state->lock);
	return state->c.rounds;
}

extern "C" int xpf_hotplug_init(void)
{
	state.create();
	// /sys/kernel/debug/xen-pcifront-cxx/hotplug/counters
	if (state->debugfs.create("hotplug", xpf_debugfs_root()))
		state->counters.create<show>("counters", state->debugfs.get());
	kcxx::log(kMod, KCXX_LOG_INFO, "ready");
	return 0;
}

extern "C" void xpf_hotplug_exit(void)
{
	state.destroy(); // its debugfs file, then its directory, go first
}
