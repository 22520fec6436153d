// process.h: process-level helpers shared by the daemons.
#pragma once

#include <string>

#include "candor/base/result.h"

namespace candor {

// BlockTerminationSignals blocks SIGINT and SIGTERM in the calling thread and in every thread
// it starts afterwards, so WaitForTerminationSignal can collect them. Call it first in main.
void BlockTerminationSignals();

// WaitForTerminationSignal blocks until SIGINT or SIGTERM arrives and returns its number.
int WaitForTerminationSignal();

}  // namespace candor
