// subprocess.h: runs another program (git, the release recipe) for `candor release
// rebuild-check`, without a shell: the arguments reach it as they are.
#pragma once

#include <string>
#include <vector>

#include "candor/base/result.h"

namespace candor::cli {

// RunProcess runs argv[0] (looked up in PATH) with `argv` in the folder `cwd`, its standard
// output and error appended to `log_file`, and waits for it. Returns its exit status (128 + the
// signal if a signal ended it); kUnavailable if it could not be started.
Result<int> RunProcess(const std::vector<std::string>& argv, const std::string& cwd,
                       const std::string& log_file);

}  // namespace candor::cli
