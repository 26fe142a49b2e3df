// SPDX-License-Identifier: GPL-2.0
// The xenbus "pci" frontend: one per pciback instance. A thin driver over its parts: the
// Connection (page, channel, keeper), the ConfigSpace behind it (config and MSI ops), the
// RootBuses built from the backend's keys, and Aer. It follows the backend's state, publishes,
// takes over after a reload, answers hotplug rounds, and shows the parts' counters.
#pragma once

#include "aer.hpp"
#include "config_space.hpp"
#include "connection.hpp"
#include "kcxx/debugfs.hpp"
#include "kcxx/sync.hpp"
#include "lib/xenbus_fsm.hpp"
#include "root_buses.hpp"
#include "xpf/msi.h"

namespace pcifront
{

class Frontend : kcxx::NoCopy, xpf_msi_transport
{
      public:
	explicit Frontend(struct xenbus_device *xdev);
	Frontend(Frontend &&) = delete;
	~Frontend();

	void otherend_changed(int backend_state);
	// The driver is being unbound (before rmmod, or the device is going away): keep a live
	// connection for the next load of the module, or close it.
	void remove();
	// Frontends alive now (debugfs "objects").
	static long live();

      private:
	// A previous load of this module left us Connected: take its connection over, or close.
	bool take_over(int be);
	// One step of the state machine; false when the round ends.
	bool act(FsmAction a, int be, int ours);
	kcxx::Result<void> publish();
	kcxx::Result<void> resume();
	kcxx::Result<void> connect();
	kcxx::Result<void> reconfigure();
	kcxx::Result<void> reconfigured();
	void start_serving();
	void stop_serving();
	// Devices, then ops, then the connection handed to the keeper: false when it was not.
	bool keep();
	void close();
	void disconnect(); // teardown(), then tell the backend we are Closed
	// Everything we set up, in reverse order; safe to call again.
	void teardown();
	void debugfs_create();
	void show_stats(kcxx::Seq &seq);

	static xen::IrqReturn on_event(int irq, void *data);
	// xpf_msi_transport: MSI ops from xen-pcifront-msi, for devices under our roots only.
	int msi_op(struct pci_dev *dev, const struct xen_pci_op &req,
		   struct xen_pci_op *reply) override;
	const char *msi_name() const override { return name_; }

	xen::XenbusDevice xdev_;
	const char *name_; // the xenbus node name, for log lines

	static kcxx::LockClass state_lock_class_; // lockdep's name for it
	// Serialises xenbus callbacks, connect, close and remove.
	kcxx::Mutex state_lock_{state_lock_class_};

	// The parts, in set-up order; teardown() releases them bottom-up.
	Connection conn_{xdev_, on_event, this};
	Aer aer_{conn_, xdev_};
	ConfigSpace cs_{conn_, xdev_, aer_};
	RootBuses roots_{xdev_, cs_};
	kcxx::DebugfsDir debugfs_; // before the file in it: destroyed after it
	kcxx::DebugfsFile stats_;
	bool msi_attached_ = false;
	uint64_t protocol_events_ = 0; // under state_lock_, read by debugfs
	uint64_t hotplug_rounds_ = 0;  // the same
};

} // namespace pcifront
