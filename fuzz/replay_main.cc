// replay_main.cc: a main() for fuzz targets built without libFuzzer (GCC): runs
// LLVMFuzzerTestOneInput once on every file named on the command line and on every regular file
// under every directory named there (in sorted order, so runs are reproducible). Arguments that
// start with '-' are libFuzzer flags and are ignored, so ctest can call both kinds of binary the
// same way. Exits 1 if a path cannot be read or no input was found.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "candor/base/file.h"
#include "fuzz/fuzz_target.h"

namespace {

namespace fs = std::filesystem;

// CollectInputs appends `path` if it is a file, or every regular file below it if it is a
// directory. Returns false if `path` cannot be listed.
bool CollectInputs(const std::string& path, std::vector<std::string>& out) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    out.push_back(path);
    return true;
  }
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(path, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) found.push_back(it->path().string());
  }
  if (ec) {
    std::fprintf(stderr, "replay: cannot list %s: %s\n", path.c_str(), ec.message().c_str());
    return false;
  }
  std::sort(found.begin(), found.end());
  out.insert(out.end(), found.begin(), found.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.empty() || arg[0] == '-') continue;
    if (!CollectInputs(arg, inputs)) return 1;
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR... (no inputs found)\n", argv[0]);
    return 1;
  }
  for (const std::string& path : inputs) {
    auto data = candor::ReadFile(path);
    if (!data.ok()) {
      std::fprintf(stderr, "replay: %s\n", data.error().ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), data->size());
    LLVMFuzzerTestOneInput(data->data(), data->size());
  }
  std::fprintf(stderr, "replay: %zu inputs ok\n", inputs.size());
  return 0;
}
