// candor-witness: a C2SP tlog-witness. Parses flags and calls into candor::witness.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "candor/base/process.h"
#include "candor/witness/witness_server.h"

namespace {

int Run(int argc, char** argv) {
  // A daemon logs to stderr: stdout is for answers a script reads (keys, JSON).
  spdlog::set_default_logger(spdlog::stderr_logger_mt("candor-witness"));
  candor::BlockTerminationSignals();
  CLI::App app{"candor-witness: cosigns checkpoints that are consistent with what it saw"};
  app.require_subcommand(1);

  candor::witness::InitWitnessOptions init;
  auto* init_cmd = app.add_subcommand("init", "create the witness key; prints its vkey");
  init_cmd->add_option("--dir", init.dir, "witness directory")->required();
  init_cmd->add_option("--name", init.name, "cosigner name, e.g. witness.example/w1")->required();

  std::string vkey_dir;
  auto* vkey_cmd = app.add_subcommand("vkey", "print the witness's verifier key");
  vkey_cmd->add_option("--dir", vkey_dir, "witness directory")->required();

  candor::witness::ServeWitnessOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "serve the tlog-witness HTTP API");
  serve_cmd->add_option("--dir", serve.dir, "witness directory")->required();
  serve_cmd->add_option("--listen", serve.listen, "host:port (port 0 picks one)");
  serve_cmd->add_option("--port-file", serve.port_file, "write the bound port to this file");
  serve_cmd->add_option("--log", serve.logs, "vkey of a log to witness (repeatable)")->required();
  serve_cmd->add_option("--max-connections", serve.max_connections,
                        "connection limit (default: from the descriptor limit, files kept aside)");
  serve_cmd->add_option("--max-connections-per-client", serve.max_connections_per_client,
                        "connections one address (IPv6: one /64) may hold");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  candor::Result<std::string> printed = std::string();
  if (*init_cmd) {
    printed = candor::witness::InitWitness(init);
  } else if (*vkey_cmd) {
    printed = candor::witness::WitnessVerifierKey(vkey_dir);
  } else {
    auto st = candor::witness::ServeWitness(serve);
    if (!st.ok()) printed = st.error();
  }
  if (!printed.ok()) {
    (void)std::fprintf(stderr, "candor-witness: %s\n", printed.error().ToString().c_str());
    return 1;
  }
  if (!printed->empty()) (void)std::printf("%s\n", printed->c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return candor::RunMain(argc, argv, Run); }
