// candord: the Candor server. Parses flags and calls into candor::server.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "candor/base/process.h"
#include "candor/server/candord.h"

namespace {

int Fail(const candor::Error& e) {
  (void)std::fprintf(stderr, "candord: %s\n", e.ToString().c_str());
  return 1;
}

int Run(int argc, char** argv) {
  // A daemon logs to stderr: stdout is for answers a script reads (keys, JSON).
  spdlog::set_default_logger(spdlog::stderr_logger_mt("candord"));
  candor::BlockTerminationSignals();
  CLI::App app{
      "candord: the Candor server (key directory, KeyPackages, message delivery, transparency "
      "logs)"};
  app.require_subcommand(1);

  candor::server::InitServerOptions init;
  std::string init_log;
  std::string init_origin;
  auto* init_cmd = app.add_subcommand(
      "init", "create a server's data directory (configuration, directory keys, tree-head log)");
  init_cmd->add_option("--dir", init.dir, "data directory")->required();
  init_cmd->add_option("--listen", init.listen, "host:port to serve on")->default_val(init.listen);
  init_cmd->add_option("--database", init.database,
                       "sqlite:<path> or postgresql:<conninfo> (default sqlite:<dir>/candor.db)");
  init_cmd->add_option("--witness", init.witnesses, "witness as URL=VKEY (repeatable)");
  init_cmd->add_option("--quorum", init.quorum, "cosignatures needed to publish a checkpoint");
  init_cmd->add_option("--auditor-key", init.auditor_key,
                       "Third-Party Auditing: the auditor's public key (base64, from "
                       "`candor-auditor init`); default Contact Monitoring");
  init_cmd
      ->add_option("--max-auditor-lag-ms", init.max_auditor_lag_ms,
                   "with --auditor-key: how far the auditor may trail the directory (ms)")
      ->default_val(init.max_auditor_lag_ms);
  init_cmd->add_option("--log", init_log,
                       "create only a transparency log of this name (no messaging services)");
  init_cmd->add_option("--origin", init_origin,
                       "with --log: checkpoint origin (default candor.local/logs/<log>)");

  candor::server::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand(
      "serve", "serve the data directory (its candord.json, or its logs alone without one)");
  serve_cmd->add_option("--dir", serve.dir,
                        "data directory (keys, logs; default: the folder of --config)");
  serve_cmd->add_option("--config", serve.config_file,
                        "configuration file (default <dir>/candord.json; see "
                        "include/candor/server/config.h)");
  serve_cmd->add_option("--listen", serve.listen,
                        "host:port (port 0 picks one); overrides the file");
  serve_cmd->add_option("--port-file", serve.port_file, "write the bound port to this file");
  serve_cmd->add_option("--witness", serve.witnesses, "log-only server: witness as URL=VKEY");
  serve_cmd->add_option("--quorum", serve.quorum, "log-only server: cosignatures to publish");
  serve_cmd->add_option_function<int64_t>(
      "--cosign-refresh-ms",
      [&serve](int64_t ms) { serve.cosign_refresh = std::chrono::milliseconds(ms); },
      "log-only server: cosign an unchanged checkpoint again this often (0: never; default "
      "300000)");
  serve_cmd->add_option("--threads", serve.num_threads, "log-only server: HTTP threads");
  serve_cmd->add_option("--max-connections", serve.max_connections,
                        "log-only server: connection limit (default: from the descriptor limit)");
  serve_cmd->add_option("--max-connections-per-client", serve.max_connections_per_client,
                        "log-only server: connections one address (IPv6: one /64) may hold");

  try {
    app.parse(argc, argv);
    if (*serve_cmd && serve.dir.empty()) {
      if (serve.config_file.empty()) throw CLI::RequiredError("--dir or --config");
      const auto slash = serve.config_file.rfind('/');
      serve.dir = slash == std::string::npos ? "." : serve.config_file.substr(0, slash);
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*init_cmd) {
    if (!init_log.empty()) {
      auto r = candor::server::InitLog({init.dir, init_log, init_origin});
      if (!r.ok()) return Fail(r.error());
      nlohmann::json j = {
          {"origin", r->origin}, {"vkey", r->vkey}, {"append_token_file", r->token_file}};
      (void)std::printf("%s\n", j.dump().c_str());
      return 0;
    }
    auto r = candor::server::InitServer(init);
    if (!r.ok()) return Fail(r.error());
    nlohmann::json j = {{"config_file", r->config_file},
                        {"kt_config", r->kt_config},
                        {"kt_heads_log", r->kt_heads_vkey}};
    if (!r->auditor_token_file.empty()) j["auditor_token_file"] = r->auditor_token_file;
    (void)std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  auto st = candor::server::Serve(serve);
  if (!st.ok()) return Fail(st.error());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return candor::RunMain(argc, argv, Run); }
