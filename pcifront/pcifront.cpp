// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-cxx: module entry. Checks the environment, then registers the xenbus "pci"
// frontend (frontend.cpp); the C glue's callbacks land here.
#include "entry.h"
#include "frontend.hpp"
#include "kcxx/alloc.hpp"
#include "kcxx/debugfs.h"
#include "kcxx/errno.h"
#include "kcxx/log.h"
#include "kcxx/pci.h"
#include "kcxx/xenbus.h"
#include "xpf/evtchn.h"
#include "xpf/hotplug.h"
#include "xpf/msi.h"

namespace {
constexpr const char *kMod = "xen-pcifront-cxx";
constexpr unsigned int kMinTimeoutMs = 10;
// A config op waits with its lock held and interrupts off (config accessors may be called from
// atomic context), so one silent backend stalls a vCPU for this long: keep it far below the
// kernel's soft-lockup (20 s) and RCU-stall (21 s) reports. The in-tree frontend waits 2 s.
constexpr unsigned int kMaxTimeoutMs = 5000;
constexpr unsigned int kMaxSpinUs = 100000;
bool registered;
struct dentry *objects_file;
struct kcxx_debugfs_show objects_show;

// /sys/kernel/debug/xen-pcifront-cxx/objects: what the set holds now. A test compares it before
// and after attach/detach cycles.
int show_objects(struct seq_file *m, void *)
{
	long fe = 0, roots = 0;
	xpf_fe_objects(&fe, &roots);
	kcxx_seq_printf(m, "frontends %ld root_buses %ld bindings %d\n", fe, roots,
			xpf_evtchn_count());
	return 0;
}
} // namespace

extern "C" int xpf_frontend_init(void)
{
	if (xpf_op_timeout_ms < kMinTimeoutMs || xpf_op_timeout_ms > kMaxTimeoutMs) {
		kcxx_log(kMod, KCXX_LOG_ERR, "op_timeout_ms=%u is outside %u..%u; load refused",
			 xpf_op_timeout_ms, kMinTimeoutMs, kMaxTimeoutMs);
		return -KCXX_EINVAL;
	}
	if (xpf_op_spin_us > kMaxSpinUs) {
		kcxx_log(kMod, KCXX_LOG_ERR, "op_spin_us=%u is over %u; load refused", xpf_op_spin_us,
			 kMaxSpinUs);
		return -KCXX_EINVAL;
	}
	if (!xpf_msi_hook_free()) {
		kcxx_log(kMod, KCXX_LOG_ERR,
			 "the in-tree xen-pcifront is loaded and owns the PCI frontend hook: "
			 "run 'modprobe -r xen-pcifront' and add 'blacklist xen-pcifront' to "
			 "/etc/modprobe.d/ (see README)");
		return -KCXX_EBUSY;
	}
	if (!kcxx_xen_pv_domain() || kcxx_xen_initial_domain()) {
		kcxx_log(kMod, KCXX_LOG_INFO,
			 "not a Xen PV guest domain: no PCI backend to connect to, staying idle");
		return 0;
	}
	if (const int e = xpf_register_xenbus_driver(); e < 0) {
		kcxx_log(kMod, KCXX_LOG_ERR, "cannot register the xenbus \"pci\" frontend (%d)", e);
		return e;
	}
	registered = true;
	objects_show.show = show_objects;
	if (struct dentry *root = xpf_debugfs_root())
		objects_file = kcxx_debugfs_create_show("objects", root, &objects_show);
	kcxx_log(kMod, KCXX_LOG_INFO, "loaded (op timeout %u ms, %d bindings, %llu reconfigurations)",
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
	kcxx_debugfs_remove(objects_file); // debugfs_remove() ignores NULL and ERR_PTRs
	objects_file = nullptr;
}

// ---- C entry points -----------------------------------------------------------------------------

using pcifront::ConfigSpace;
using pcifront::Frontend;

extern "C" void xpf_fe_objects(long *frontends, long *roots)
{
	*frontends = Frontend::live();
	*roots = pcifront::RootBuses::live();
}

extern "C" int xpf_fe_probe(struct xenbus_device *xdev)
{
	// Probe only allocates; the connection is built when the backend is ready. A connection
	// kept for a device that vanished while we were unloaded is ended first.
	if (const int n = xpf_conn_sweep(); n > 0)
		kcxx_dev_log(kcxx_xenbus_to_device(xdev), KCXX_LOG_WARNING,
			     "ended %d kept connection(s) of vanished devices", n);
	auto fe = kcxx::try_make_box<Frontend>(KCXX_GFP_KERNEL, xdev);
	if (!fe.ok()) {
		kcxx_xenbus_dev_fatal(xdev, fe.error(), "allocating the frontend");
		return fe.error();
	}
	kcxx_xenbus_set_drvdata(xdev, kcxx::move(fe).value_assumed_ok_or_bug().leak());
	return 0;
}

extern "C" void xpf_fe_remove(struct xenbus_device *xdev)
{
	auto fe =
	    kcxx::Box<Frontend>::adopt(static_cast<Frontend *>(kcxx_xenbus_get_drvdata(xdev)));
	kcxx_xenbus_set_drvdata(xdev, nullptr);
	if (fe)
		fe->remove();
}

extern "C" void xpf_fe_otherend_changed(struct xenbus_device *xdev, int backend_state)
{
	if (auto *fe = static_cast<Frontend *>(kcxx_xenbus_get_drvdata(xdev)))
		fe->otherend_changed(backend_state);
}

// Our root buses carry their ConfigSpace as owner (RootBuses::root_bus).
extern "C" int xpf_fe_conf_read(struct pci_bus *bus, unsigned int devfn, int where, int size,
				uint32_t *val)
{
	return static_cast<ConfigSpace *>(kcxx_pci_bus_owner(bus))
	    ->conf_read(bus, devfn, where, size, val);
}

extern "C" int xpf_fe_conf_write(struct pci_bus *bus, unsigned int devfn, int where, int size,
				 uint32_t val)
{
	return static_cast<ConfigSpace *>(kcxx_pci_bus_owner(bus))
	    ->conf_write(bus, devfn, where, size, val);
}
