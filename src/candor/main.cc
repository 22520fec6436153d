// candor: the Candor command-line client. Parses flags, calls candor::client, prints results
// (text, or JSON with --json), and exits non-zero with a one-line reason on any failure.
#include <cstdio>

#include "candor/base/process.h"
#include "commands.h"

namespace candor::cli {

int Fail(const std::string& what) {
  (void)std::fprintf(stderr, "candor: %s\n", what.c_str());
  return kExitFailed;
}

}  // namespace candor::cli

namespace {

int Run(int argc, char** argv) {
  CLI::App app{
      "candor: the Candor client (end-to-end encrypted messaging that verifies its server)"};
  app.require_subcommand(1);
  // Global options (--profile, --json, ...) may also follow the subcommand.
  app.fallthrough();
  std::unique_ptr<candor::cli::CommandGroup> groups[] = {candor::cli::MakeMessagingCommands(),
                                                         candor::cli::MakeLogCommands(),
                                                         candor::cli::MakeReleaseCommands()};
  for (auto& g : groups) g->Add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& g : groups) {
    if (auto code = g->RunIfChosen()) return *code;
  }
  return candor::cli::Fail("no command chosen (see --help)");
}

}  // namespace

int main(int argc, char** argv) { return candor::RunMain(argc, argv, Run); }
