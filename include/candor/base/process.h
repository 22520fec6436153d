// process.h: process-level helpers shared by the daemons.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "candor/base/result.h"

namespace candor {

// BlockTerminationSignals blocks SIGINT and SIGTERM in the calling thread and in every thread
// it starts afterwards, so WaitForTerminationSignal can collect them. Call it first in main.
void BlockTerminationSignals();

// RunMain calls run(argc, argv) and returns its exit code; an exception escaping it (CLI11
// throws, and so can the standard library) is printed as one line and exits 1.
int RunMain(int argc, char** argv, int (*run)(int, char**));

// WaitForTerminationSignal blocks until SIGINT or SIGTERM arrives and returns its number.
int WaitForTerminationSignal();
// WaitForTerminationSignalFor is WaitForTerminationSignal for at most `timeout`: 0 when none
// arrived meanwhile.
int WaitForTerminationSignalFor(std::chrono::milliseconds timeout);

// RequestTermination sends this process SIGTERM, so that WaitForTerminationSignal returns and
// the daemon drains as if an operator had asked (a sequencer that lost its lease).
void RequestTermination();

// RaiseDescriptorLimit raises the soft limit on open files to the hard limit (systemd's usual
// soft limit of 1,024 is too low for a server) and returns the soft limit now in force.
uint64_t RaiseDescriptorLimit();

}  // namespace candor
