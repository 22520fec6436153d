// candord: the Candor server. Parses flags and calls into candor::server.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "candor/base/process.h"
#include "candor/server/candord.h"

namespace {

int Run(int argc, char** argv) {
  candor::BlockTerminationSignals();
  CLI::App app{"candord: the Candor server (transparency logs today)"};
  app.require_subcommand(1);

  candor::server::InitLogOptions init;
  auto* init_cmd = app.add_subcommand("init", "create a log with a fresh key and append token");
  init_cmd->add_option("--dir", init.dir, "data directory")->required();
  init_cmd->add_option("--log", init.name, "log name (URL segment)")->required();
  init_cmd->add_option("--origin", init.origin,
                       "checkpoint origin (default candor.local/logs/<log>)");

  candor::server::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "serve every log in the data directory");
  serve_cmd->add_option("--dir", serve.dir, "data directory")->required();
  serve_cmd->add_option("--listen", serve.listen, "host:port (port 0 picks one)");
  serve_cmd->add_option("--port-file", serve.port_file, "write the bound port to this file");
  serve_cmd->add_option("--witness", serve.witnesses, "witness as URL=VKEY (repeatable)");
  serve_cmd->add_option("--quorum", serve.quorum, "cosignatures needed to publish a checkpoint");
  serve_cmd->add_option("--threads", serve.num_threads, "HTTP threads");
  serve_cmd->add_option("--max-connections", serve.max_connections,
                        "connection limit (default: from the descriptor limit, files kept aside)");
  serve_cmd->add_option("--max-connections-per-client", serve.max_connections_per_client,
                        "connections one address (IPv6: one /64) may hold");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*init_cmd) {
    auto r = candor::server::InitLog(init);
    if (!r.ok()) {
      (void)std::fprintf(stderr, "candord: %s\n", r.error().ToString().c_str());
      return 1;
    }
    nlohmann::json j = {
        {"origin", r->origin}, {"vkey", r->vkey}, {"append_token_file", r->token_file}};
    (void)std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  auto st = candor::server::Serve(serve);
  if (!st.ok()) {
    (void)std::fprintf(stderr, "candord: %s\n", st.error().ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return candor::RunMain(argc, argv, Run); }
