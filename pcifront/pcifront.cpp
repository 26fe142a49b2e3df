// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-cxx: module entry. Checks the environment, then registers the xenbus "pci"
// frontend (frontend.cpp); the C glue's callbacks land here.
#include "entry.h"
#include "frontend.hpp"
#include "kcxx/alloc.hpp"
#include "kcxx/debugfs.hpp"
#include "kcxx/errno.h"
#include "kcxx/pci.hpp"
#include "xpf/evtchn.h"
#include "xpf/hotplug.h"
#include "xpf/msi.h"

namespace
{
constexpr const char *kMod = "xen-pcifront-cxx";
constexpr unsigned int kMinTimeoutMs = 10;
// A config op waits with its lock held and interrupts off (config accessors may be called from
// atomic context), so one silent backend stalls a vCPU for this long: keep it far below the
// kernel's soft-lockup (20 s) and RCU-stall (21 s) reports. The in-tree frontend waits 2 s.
constexpr unsigned int kMaxTimeoutMs = 5000;
constexpr unsigned int kMaxSpinUs = 100000;
bool registered;
// Storage without a static constructor (modules run none): built in init, destroyed in exit.
kcxx::StaticBox<kcxx::DebugfsFile> objects_file;

// /sys/kernel/debug/xen-pcifront-cxx/objects: what the set holds now. A test compares it before
// and after attach/detach cycles.
void show_objects(kcxx::Seq &seq)
{
	long fe = 0, roots = 0;
	xpf_fe_objects(&fe, &roots);
	seq.print("frontends %ld root_buses %ld bindings %d\n", fe, roots, xpf_evtchn_count());
}
} // namespace

extern "C" int xpf_frontend_init(void)
{
	if (xpf_op_timeout_ms < kMinTimeoutMs || xpf_op_timeout_ms > kMaxTimeoutMs) {
		kcxx::log(kMod, KCXX_LOG_ERR, "op_timeout_ms=%u is outside %u..%u; load refused",
			  xpf_op_timeout_ms, kMinTimeoutMs, kMaxTimeoutMs);
		return -KCXX_EINVAL;
	}
	if (xpf_op_spin_us > kMaxSpinUs) {
		kcxx::log(kMod, KCXX_LOG_ERR, "op_spin_us=%u is over %u; load refused",
			  xpf_op_spin_us, kMaxSpinUs);
		return -KCXX_EINVAL;
	}
	if (!xpf_msi_hook_free()) {
		kcxx::log(kMod, KCXX_LOG_ERR,
			  "the in-tree xen-pcifront is loaded and owns the PCI frontend hook: "
			  "run 'modprobe -r xen-pcifront' and add 'blacklist xen-pcifront' to "
			  "/etc/modprobe.d/ (see README)");
		return -KCXX_EBUSY;
	}
	if (!xen::pv_domain() || xen::initial_domain()) {
		kcxx::log(kMod, KCXX_LOG_INFO,
			  "not a Xen PV guest domain: no PCI backend to connect to, staying idle");
		return 0;
	}
	if (const int e = xpf_register_xenbus_driver(); e < 0) {
		kcxx::log(kMod, KCXX_LOG_ERR, "cannot register the xenbus \"pci\" frontend (%d)",
			  e);
		return e;
	}
	registered = true;
	if (objects_file.create())
		objects_file->create<show_objects>("objects", xpf_debugfs_root());
	kcxx::log(kMod, KCXX_LOG_INFO,
		  "loaded (op timeout %u ms, %d bindings, %llu reconfigurations)",
		  xpf_op_timeout_ms, xpf_evtchn_count(),
		  static_cast<unsigned long long>(xpf_hotplug_reconfigurations()));
	return 0;
}

extern "C" void xpf_frontend_exit(void)
{
	// Unregistering removes every frontend: devices, then the connection.
	if (registered)
		xpf_unregister_xenbus_driver();
	registered = false;
	objects_file.destroy();
}

// ---- C entry points -----------------------------------------------------------------------------

using pcifront::ConfigSpace;
using pcifront::Frontend;

extern "C" void xpf_fe_objects(long *frontends, long *roots)
{
	*frontends = Frontend::live();
	*roots = pcifront::RootBuses::live();
}

extern "C" int xpf_fe_probe(struct xenbus_device *x)
{
	const xen::XenbusDevice xdev(x);
	// Probe only allocates; the connection is built when the backend is ready. A connection
	// kept for a device that vanished while we were unloaded is ended first.
	if (const int n = xpf_conn_sweep(); n > 0)
		xdev.log(KCXX_LOG_WARNING, "ended %d kept connection(s) of vanished devices", n);
	auto fe = kcxx::try_make_box<Frontend>(KCXX_GFP_KERNEL, x);
	if (!fe.ok()) {
		xdev.fatal(fe.error(), "allocating the frontend");
		return fe.error();
	}
	xdev.set_drvdata(kcxx::move(fe).value_assumed_ok_or_bug().leak());
	return 0;
}

extern "C" void xpf_fe_remove(struct xenbus_device *x)
{
	const xen::XenbusDevice xdev(x);
	auto fe = kcxx::Box<Frontend>::adopt(static_cast<Frontend *>(xdev.drvdata()));
	xdev.set_drvdata(nullptr);
	if (fe)
		fe->remove();
}

extern "C" void xpf_fe_otherend_changed(struct xenbus_device *x, int backend_state)
{
	if (auto *fe = static_cast<Frontend *>(xen::XenbusDevice(x).drvdata()))
		fe->otherend_changed(backend_state);
}

// Our root buses carry their ConfigSpace as owner (RootBuses::root_bus).
extern "C" int xpf_fe_conf_read(struct pci_bus *bus, unsigned int devfn, int where, int size,
				uint32_t *val)
{
	return kcxx::PciBus(bus).owner<ConfigSpace>()->conf_read(bus, devfn, where, size, val);
}

extern "C" int xpf_fe_conf_write(struct pci_bus *bus, unsigned int devfn, int where, int size,
				 uint32_t val)
{
	return kcxx::PciBus(bus).owner<ConfigSpace>()->conf_write(bus, devfn, where, size, val);
}
