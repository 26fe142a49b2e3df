// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-hotplug: the Reconfiguring / Reconfigured handshake behind `xl pci-attach` and
// `xl pci-detach` on a running driver domain.
//
// Backend Reconfiguring: the device list (num_devs, state-N, vdev-N) is read once and
// validated (lib/hotplug_list); each device listed as Closing that is on our buses is removed,
// its driver unbound first, before the frontend answers Reconfiguring, because pciback stops
// exporting it as soon as it sees that answer. Backend Reconfigured: the frontend's roots are
// rescanned and each device listed as exported must be there before the frontend answers
// Connected. Both steps are idempotent: a device already gone, or already present, is left as
// it is, so a repeated or reordered state change does no harm.
#include "entry.h"
#include "kcxx/alloc.hpp"
#include "kcxx/debugfs.h"
#include "kcxx/log.h"
#include "kcxx/pci.h"
#include "kcxx/pci_ref.hpp"
#include "kcxx/sync.hpp"
#include "kcxx/time.h"
#include "kcxx/xen.hpp"
#include "kcxx/xenbus.h"
#include "lib/hotplug_list.hpp"
#include "xpf/evtchn.h"
#include "xpf/hotplug.h"

using namespace pcifront;

namespace
{

constexpr const char *kMod = "xen-pcifront-hotplug";

struct Counters {
	uint64_t rounds = 0;	   // Reconfiguring handshakes
	uint64_t detached = 0;	   // devices removed on the backend's request
	uint64_t detach_absent = 0; // listed as Closing but not (or no longer) on our buses
	uint64_t attached = 0;	   // devices that appeared in a Reconfigured rescan
	uint64_t missing = 0;	   // listed as exported but not on our buses after the rescan
	uint64_t refused = 0;	   // list entries refused (bad state, vdev, duplicate)
	uint64_t list_errors = 0;  // rounds whose list could not be used at all
	uint64_t rescan_errors = 0;
};

kcxx::LockClass lock_class{"xpf_hotplug.lock", {}};

struct State {
	kcxx::Mutex lock{lock_class}; // the counters
	Counters c;
	struct dentry *debugfs = nullptr;
	struct kcxx_debugfs_show show = {};
};

kcxx::StaticBox<State> state;

struct device *dev_of(struct xenbus_device *xdev)
{
	return kcxx_xenbus_to_device(xdev);
}

// The device at @bdf on one of @fe's own root buses, or nothing.
kcxx::PciDevRef our_device(const xpf_hotplug_frontend *fe, const Bdf &bdf)
{
	return kcxx::PciDevRef::find_under(dev_of(fe->xdev), bdf.domain, bdf.bus, bdf.devfn);
}

Result<kcxx::Box<HotplugList>> read_list(const xpf_hotplug_frontend *fe, const char *step)
{
	auto list = TRY(kcxx::try_make_box<HotplugList>(KCXX_GFP_KERNEL));
	HotplugList *l = list.get();
	if (auto r = xen::read_consistent(kcxx_xenbus_otherend(fe->xdev),
					  [l](xen::XsDir &rd) { return read_hotplug_list(rd, l); });
	    !r.ok()) {
		kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_ERR,
			     "%s: the backend's device list is unusable (num_devs %s, %d): "
			     "no device added or removed",
			     step, r.error() == -KCXX_ENOENT ? "missing" : "invalid", r.error());
		kcxx::MutexGuard g(state->lock);
		++state->c.list_errors;
		return kcxx::err(r.error());
	}
	uint32_t refused = 0;
	for (uint32_t i = 0; i < list->num_devs; ++i) {
		const HotplugEntry &e = list->entries[i];
		if (e.fault == HotplugFault::None)
			continue;
		++refused;
		kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_ERR,
			     "%s: device entry %u refused: %s (state %u); it is left as it is", step,
			     e.index, hotplug_fault_name(e.fault), e.state);
	}
	kcxx::MutexGuard g(state->lock);
	state->c.refused += refused;
	return list;
}

int show(struct seq_file *m, void *)
{
	kcxx::MutexGuard g(state->lock);
	const Counters &c = state->c;
	kcxx_seq_printf(m,
			"rounds %llu detached %llu detach_absent %llu attached %llu missing %llu "
			"refused %llu list_errors %llu rescan_errors %llu\n",
			static_cast<unsigned long long>(c.rounds),
			static_cast<unsigned long long>(c.detached),
			static_cast<unsigned long long>(c.detach_absent),
			static_cast<unsigned long long>(c.attached),
			static_cast<unsigned long long>(c.missing),
			static_cast<unsigned long long>(c.refused),
			static_cast<unsigned long long>(c.list_errors),
			static_cast<unsigned long long>(c.rescan_errors));
	return 0;
}

} // namespace

extern "C" int xpf_hotplug_reconfiguring(const struct xpf_hotplug_frontend *fe)
{
	{
		kcxx::MutexGuard g(state->lock);
		++state->c.rounds;
	}
	// Fail closed: a detach we cannot read is refused as a whole, before anything is removed.
	// The frontend then reports the error to the toolstack (xenbus_dev_fatal) instead of
	// answering, so pciback never resets a device whose driver is still bound here.
	auto lr = read_list(fe, "detach");
	if (!lr.ok()) {
		kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_ERR,
			     "detach: refused: the device list cannot be read, so which device is "
			     "going cannot be told; every device stays bound");
		return lr.error();
	}
	const HotplugList &list = **lr.get();
	if (const int bad = list.first_unsafe_detach(); bad >= 0) {
		const HotplugEntry &e = list.entries[bad];
		kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_ERR,
			     "detach: refused: device entry %d (state-%d, vdev-%d) cannot be "
			     "acted on (%s); nothing removed, every device stays bound",
			     bad, bad, bad, hotplug_fault_name(e.fault));
		kcxx::MutexGuard g(state->lock);
		++state->c.list_errors;
		return -KCXX_EINVAL;
	}
	uint32_t removed = 0, absent = 0;
	for (uint32_t i = 0; i < list.num_devs; ++i) {
		const HotplugEntry &e = list.entries[i];
		if (e.fault != HotplugFault::None || e.action != HotplugAction::Detach)
			continue;
		// Look up and remove under the rescan lock: nothing else adds or removes meanwhile.
		kcxx_pci_lock_rescan_remove();
		const bool found = [&] {
			kcxx::PciDevRef pdev = our_device(fe, e.vdev);
			if (!pdev)
				return false;
			kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_INFO,
				     "detach: removing %s (device entry %u)",
				     kcxx_pci_name(pdev.get()), e.index);
			// Unbinds the driver (its remove still has config space), then removes;
			// our reference keeps the pci_dev until the lambda's end. The time it
			// takes is the toolstack's wait too (libxl gives the round 10 s).
			const uint64_t t0 = kcxx_ktime_get_ns();
			kcxx_pci_stop_and_remove_bus_device(pdev.get());
			kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_INFO,
				     "detach: removed %s (device entry %u) in %llu ms",
				     kcxx_pci_name(pdev.get()), e.index,
				     static_cast<unsigned long long>(
					     (kcxx_ktime_get_ns() - t0) / 1000000u));
			return true;
		}();
		kcxx_pci_unlock_rescan_remove();
		if (found)
			++removed;
		else
			++absent;
		if (!found)
			kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_INFO,
				     "detach: %s (device entry %u) is not on our buses: "
				     "nothing to remove",
				     bdf_name(e.vdev).text, e.index);
	}
	{
		kcxx::MutexGuard g(state->lock);
		state->c.detached += removed;
		state->c.detach_absent += absent;
	}
	// Other refused entries (logged by read_list) concern no device being detached.
	return 0;
}

extern "C" int xpf_hotplug_reconfigured(const struct xpf_hotplug_frontend *fe)
{
	auto lr = read_list(fe, "attach");
	if (!lr.ok()) {
		// Still rescan: a device the backend exported should not stay invisible because
		// the list around it is broken.
		const int e = fe->rescan(fe->ctx);
		return e ? e : lr.error();
	}
	HotplugList &list = **lr.get();
	// Which exported devices we had before the rescan: the others are the new ones.
	bool had[kMaxDevs] = {};
	for (uint32_t i = 0; i < list.num_devs; ++i) {
		const HotplugEntry &e = list.entries[i];
		if (e.fault != HotplugFault::None || e.action != HotplugAction::Present)
			continue;
		had[i] = static_cast<bool>(our_device(fe, e.vdev));
	}
	const int rescan = fe->rescan(fe->ctx);
	if (rescan)
		kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_ERR,
			     "attach: rescanning the backend's roots failed (%d)", rescan);
	uint32_t appeared = 0, missing = 0;
	for (uint32_t i = 0; i < list.num_devs; ++i) {
		const HotplugEntry &e = list.entries[i];
		if (e.fault != HotplugFault::None || e.action != HotplugAction::Present || had[i])
			continue;
		if (const kcxx::PciDevRef pdev = our_device(fe, e.vdev)) {
			kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_INFO,
				     "attach: %s added (device entry %u)",
				     kcxx_pci_name(pdev.get()), e.index);
			++appeared;
		} else {
			kcxx_dev_log(dev_of(fe->xdev), KCXX_LOG_ERR,
				     "attach: the backend exported %s (device entry %u) but it is "
				     "not on our buses after the rescan",
				     bdf_name(e.vdev).text, e.index);
			++missing;
		}
	}
	{
		kcxx::MutexGuard g(state->lock);
		state->c.attached += appeared;
		state->c.missing += missing;
		state->c.rescan_errors += rescan != 0;
	}
	if (rescan)
		return rescan;
	return missing ? -KCXX_ENODEV : list.faults() ? -KCXX_EINVAL : 0;
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
	state->show.show = show;
	// /sys/kernel/debug/xen-pcifront-cxx/hotplug/counters
	state->debugfs = kcxx_debugfs_create_dir("hotplug", xpf_debugfs_root());
	kcxx_debugfs_create_show("counters", state->debugfs, &state->show);
	kcxx_log(kMod, KCXX_LOG_INFO, "ready");
	return 0;
}

extern "C" void xpf_hotplug_exit(void)
{
	kcxx_debugfs_remove(state->debugfs);
	state.destroy();
}
