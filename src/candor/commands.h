// commands.h: the `candor` CLI is a set of command groups; each registers its subcommands and,
// after parsing, runs the one the user chose. They parse flags, call candor::client and print.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

namespace candor::cli {

// Exit codes: 0 done; 1 failed (the line says why); 2 bad usage; 3 something did not verify
// (the server or the directory showed what this client refuses to trust).
inline constexpr int kExitFailed = 1;
inline constexpr int kExitNotVerified = 3;

class CommandGroup {
 public:
  virtual ~CommandGroup() = default;
  virtual void Add(CLI::App& app) = 0;
  // RunIfChosen runs the chosen subcommand of this group and returns its exit code, or nullopt
  // if none of its subcommands was chosen.
  virtual std::optional<int> RunIfChosen() = 0;
};

std::unique_ptr<CommandGroup> MakeLogCommands();
std::unique_ptr<CommandGroup> MakeMessagingCommands();
std::unique_ptr<CommandGroup> MakeReleaseCommands();

// Fail prints "candor: <what>" on stderr and returns kExitFailed.
int Fail(const std::string& what);

}  // namespace candor::cli
