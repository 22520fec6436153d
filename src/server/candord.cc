#include "candor/server/candord.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/process.h"
#include "candor/crypto/random.h"
#include "candor/crypto/sha256.h"
#include "candor/net/http_server.h"
#include "candor/net/worker_pool.h"
#include "candor/server/log_service.h"

namespace candor::server {
namespace {

std::string LogDir(const std::string& dir, const std::string& name) {
  return dir + "/logs/" + name;
}

Result<std::unique_ptr<LogService>> OpenLog(const ServeOptions& options, const std::string& name,
                                            const std::vector<WitnessEndpoint>& witnesses,
                                            net::WorkerPool& blocking) {
  const std::string dir = LogDir(options.dir, name);
  CANDOR_ASSIGN_OR_RETURN(tlog::ParsedSecretKey key,
                          tlog::LoadSecretKeyFile(dir + "/log.key", tlog::kSigTypeEd25519));
  CANDOR_ASSIGN_OR_RETURN(Bytes token, ReadFile(dir + "/append.token", 4096));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return MakeError(Errc::kInvalidArgument, dir + "/append.token is empty");
  LogServiceOptions opts;
  opts.name = name;
  opts.writer.dir = dir;
  opts.writer.origin = key.name;
  opts.append_token_hash = crypto::Sha256(token);
  SecureZero(token.data(), token.size());
  opts.witnesses = witnesses;
  opts.quorum = options.quorum;
  opts.blocking = &blocking;
  return LogService::Create(
      std::move(opts), std::make_unique<tlog::Ed25519NoteSigner>(key.name, std::move(key.key)));
}

}  // namespace

Result<InitLogResult> InitLog(const InitLogOptions& options) {
  if (options.name.empty() || options.name.find_first_of("/ .") != std::string::npos) {
    return MakeError(Errc::kInvalidArgument, "log name must be a plain word");
  }
  const std::string dir = LogDir(options.dir, options.name);
  if (FileExists(dir + "/log.key")) return MakeError(Errc::kConflict, "log exists: " + dir);
  InitLogResult out;
  out.origin = options.origin.empty() ? "candor.local/logs/" + options.name : options.origin;
  if (!tlog::IsValidKeyName(out.origin)) {
    return MakeError(Errc::kInvalidArgument, "origin must have no spaces and no '+'");
  }
  tlog::Ed25519NoteSigner signer(out.origin, crypto::Ed25519PrivateKey::Generate());
  SecretBytes skey = signer.SecretKey();
  CANDOR_TRY(WriteFileDurable(dir + "/log.key", skey.view(), 0600));
  Bytes raw = crypto::RandomBytes(32);
  std::string token = Base64Encode(raw) + "\n";
  out.token_file = dir + "/append.token";
  Status st = WriteFileDurable(out.token_file, AsBytes(token), 0600);
  SecureZero(token.data(), token.size());
  CANDOR_TRY(st);
  out.vkey = signer.VerifierKey();
  return out;
}

Status Serve(const ServeOptions& options) {
  std::vector<WitnessEndpoint> witnesses;
  for (const std::string& spec : options.witnesses) {
    CANDOR_ASSIGN_OR_RETURN(WitnessEndpoint w, ParseWitnessSpec(spec));
    witnesses.push_back(std::move(w));
  }
  if (options.quorum > witnesses.size()) {
    return MakeError(Errc::kInvalidArgument, "--quorum is larger than the number of witnesses");
  }
  CANDOR_ASSIGN_OR_RETURN(auto hostport, net::SplitHostPort(options.listen));
  const uint64_t fd_limit = RaiseDescriptorLimit();
  net::WorkerPool blocking(options.num_blocking_threads);
  auto router = std::make_unique<Router>();
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options.dir + "/logs", ec)) {
    if (entry.is_directory() && FileExists(entry.path().string() + "/log.key")) {
      names.push_back(entry.path().filename().string());
    }
  }
  if (names.empty()) {
    return MakeError(Errc::kNotFound, "no logs under " + options.dir + "/logs (run candord init)");
  }
  for (const std::string& name : names) {
    auto log = OpenLog(options, name, witnesses, blocking);
    if (!log.ok()) {
      return MakeError(log.error().code, "log " + name + ": " + log.error().message);
    }
    spdlog::info("log {} (origin {}) at size {}", name, (*log)->writer().origin(),
                 (*log)->writer().Latest().checkpoint.size);
    router->Add(std::move(*log));
  }
  net::HttpServerOptions http;
  http.host = hostport.first;
  http.port = hostport.second;
  http.num_threads = options.num_threads;
  http.max_connections = options.max_connections;
  http.max_connections_per_peer = options.max_connections_per_client;
  http.blocking = &blocking;
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpServer> server,
                          net::HttpServer::Start(http, *router));
  router->SetServer(server.get());
  if (!options.port_file.empty()) {
    CANDOR_TRY(WriteFileDurable(options.port_file, AsBytes(std::to_string(server->port()) + "\n")));
  }
  spdlog::info(
      "candord listening on http://{}:{}/ ({} witnesses, quorum {}; {} descriptors, at most {} "
      "connections)",
      http.host, server->port(), witnesses.size(), options.quorum, fd_limit,
      server->Stats().max_connections);
  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: draining", sig);
  server->Stop();  // answers what was received; the logs answer queued appends once durable
  router->SetServer(nullptr);
  router.reset();
  return OkStatus();
}

}  // namespace candor::server
