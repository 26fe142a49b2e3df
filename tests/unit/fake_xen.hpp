// SPDX-License-Identifier: GPL-2.0
// What the driver parts (pcifront/connection, config_space, aer) need of the kernel beyond the
// owners' fakes: a clock that moves, an event channel whose notify reaches a simulated pciback
// (at once, after some polls, or never), log lines kept for the test to read, work items run
// when the test says, and the other modules' exports.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kcxx/debugfs.h"
#include "sim_backend.hpp"
#include "xpf/evtchn.h"

struct FakeXen {
	SimBackend *backend = nullptr;
	xen_pci_sharedinfo *page = nullptr; // where notify finds the op
	uint64_t now_ns = 1000000000ull;
	uint64_t tick_ns = 1000;    // each read of the clock moves it on
	int answer_after_polls = 0; // 0: pciback answers in notify; N: on the Nth poll
	bool silent = false;	    // pciback takes the op and never answers
	int pending = -1;	    // polls left before the held op is answered
	int notifies = 0, port_notifies = 0, polls = 0;
	int clock_reads = 0, pending_clears = 0; // each costs a guest what a trap to Xen may
	bool port_pending = false; // the reply's event on our port, not yet cleared
	int eois = 0, spurious_eois = 0; // late EOIs, and those counted spurious
	std::function<void()> on_port_notify; // the backend's part when kicked through the port
	std::function<void()> on_work_wait; // runs when a cancel of work is done
	int channel_peer = 0; // EVTCHNOP_status: the backend's domain, or -ENOTCONN once it closed
	std::vector<std::string> logs;
	std::vector<void *> queued_work; // kcxx_work items scheduled, not yet run
	int tracked = 0;		 // xpf_evtchn_track entries live

	// The xenbus device: our state and the backend's as xenstore has them, and what the
	// frontend asked of the core.
	int ours = 1;	  // XenbusStateInitialising
	int be_state = 1; // the backend's
	bool vanished = false; // our directory removed under us
	std::vector<int> switches;
	std::vector<std::string> fatals; // "err what"
	// The keeper of xen-pcifront-evtchn: holds one connection when it takes them.
	bool keeper_takes = false;
	bool kept = false;
	struct xpf_conn kept_conn = {};
	int conn_closes = 0;
	int uninitialised_work_queued = 0; // kcxx_schedule_work of a work never initialised
	// The MSI hook of xen-pcifront-msi and the swiotlb set-up.
	void *msi_transport = nullptr;
	int msi_attach_error = 0;
	int swiotlb_error = 0;
	// debugfs files by name, as created.
	std::map<std::string, struct kcxx_debugfs_show> files;
	std::map<struct dentry *, std::string> file_names;
	std::string read_file(const std::string &name);

	// Each reset starts an hour after the last one's start: state kept by time across tests in
	// one process (the log rate limit's windows) never carries over.
	void reset()
	{
		static uint64_t epoch = 0;
		epoch += 3600ull * 1000000000ull;
		*this = FakeXen();
		now_ns += epoch;
	}
	void work_waited(); // calls on_work_wait, if set
	// Runs the queued work items (as the kernel's workqueue would, later).
	void run_work();
	bool logged(const std::string &part) const;
};

extern FakeXen fxen;
