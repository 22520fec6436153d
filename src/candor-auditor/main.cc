// candor-auditor: a KEYTRANS Third-Party Auditor for a candord directory. Parses flags and
// calls into candor::auditor.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <thread>

#include "candor/auditor/follower.h"
#include "candor/base/file.h"
#include "candor/base/process.h"
#include "candor/base/tls.h"

namespace {

int Fail(const candor::Error& e, int code = 1) {
  (void)std::fprintf(stderr, "candor-auditor: %s\n", e.ToString().c_str());
  return code;
}

int Run(int argc, char** argv) {
  // A daemon logs to stderr: stdout is for answers a script reads (keys).
  spdlog::set_default_logger(spdlog::stderr_logger_mt("candor-auditor"));
  candor::BlockTerminationSignals();
  CLI::App app{
      "candor-auditor: a KEYTRANS Third-Party Auditor; it checks every entry of a candord "
      "directory and signs the heads clients require"};
  app.require_subcommand(1);

  std::string init_dir;
  auto* init_cmd =
      app.add_subcommand("init", "create the auditor key; prints the public key (base64)");
  init_cmd->add_option("--dir", init_dir, "auditor directory")->required();

  candor::auditor::FollowerOptions run;
  std::string server;
  std::string kt_config_file;
  std::string token_file;
  int poll_ms = 200;
  auto* run_cmd = app.add_subcommand("run", "follow a directory until SIGINT/SIGTERM");
  run_cmd->add_option("--dir", run.dir, "auditor directory")->required();
  run_cmd->add_option("--server", server, "candord's URL, e.g. http://127.0.0.1:8080/")->required();
  run_cmd
      ->add_option("--kt-config", kt_config_file,
                   "the directory's KEYTRANS Configuration (candord's kt-config.bin)")
      ->required();
  run_cmd
      ->add_option("--token-file", token_file,
                   "the bearer token candord gave this auditor (its keys/auditor.token)")
      ->required();
  run_cmd->add_option("--poll-ms", poll_ms, "pause between checks once caught up")
      ->default_val(poll_ms);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*init_cmd) {
    auto key =
        candor::auditor::InitAuditor(init_dir, candor::kt::CipherSuite::KT_128_SHA256_Ed25519);
    if (!key.ok()) return Fail(key.error());
    (void)std::printf("%s\n", key->c_str());
    return 0;
  }
  auto url = candor::net::ParseUrl(server);
  if (!url.ok()) return Fail(url.error());
  run.server = *url;
  run.poll = std::chrono::milliseconds(poll_ms);
  auto raw = candor::ReadFile(kt_config_file);
  if (!raw.ok()) return Fail(raw.error());
  auto config = candor::tls::DecodeExact<candor::kt::Configuration>(*raw);
  if (!config.ok()) return Fail(config.error());
  auto token = candor::ReadTokenFile(token_file);
  if (!token.ok()) return Fail(token.error());
  auto follower = candor::auditor::Follower::Open(run, std::move(*config), std::move(*token));
  if (!follower.ok()) return Fail(follower.error(), 3);
  spdlog::info("auditing {} from entry {}", url->ToString(), (*follower)->size());
  candor::Status result = candor::OkStatus();
  std::jthread worker([&](const std::stop_token& stop) { result = (*follower)->Run(stop); });
  std::jthread waiter([&worker] {
    (void)candor::WaitForTerminationSignal();
    worker.request_stop();
  });
  worker.join();
  if (!result.ok()) (void)kill(getpid(), SIGTERM);  // an alarm: end the signal wait too
  waiter.join();
  if (!result.ok()) return Fail(result.error(), 3);
  spdlog::info("stopped at entry {}", (*follower)->size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return candor::RunMain(argc, argv, Run); }
