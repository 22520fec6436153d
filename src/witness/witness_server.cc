#include "candor/witness/witness_server.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "candor/base/file.h"
#include "candor/base/process.h"
#include "candor/net/http_server.h"

namespace candor::witness {
namespace {

Result<tlog::Cosigner> LoadCosigner(const std::string& dir) {
  CANDOR_ASSIGN_OR_RETURN(
      tlog::ParsedSecretKey key,
      tlog::LoadSecretKeyFile(dir + "/witness.key", tlog::kSigTypeCosignatureV1));
  return tlog::Cosigner(key.name, std::move(key.key));
}

}  // namespace

net::HttpResponse WitnessHandler::HttpAnswer(const tlog::AddCheckpointOutcome& outcome) {
  using V = tlog::WitnessVerdict;
  switch (outcome.verdict) {
    case V::kCosigned:
      return net::MakeResponse(200, "text/plain; charset=utf-8", outcome.cosignature);
    case V::kOldSizeMismatch:
      return net::MakeResponse(409, "text/x.tlog.size", std::to_string(outcome.known_size) + "\n");
    case V::kMalformed:
      return net::JsonError(MakeError(Errc::kMalformed, outcome.detail));
    case V::kUnknownLog:
      return net::JsonError(MakeError(Errc::kNotFound, outcome.detail));
    case V::kBadSignature:
      return net::JsonError(MakeError(Errc::kVerifyFailed, outcome.detail));
    case V::kInconsistent:
      return net::JsonErrorWithStatus(422, "inconsistent", outcome.detail);
    case V::kStorageFailed:
      return net::JsonError(MakeError(Errc::kUnavailable, outcome.detail));
  }
  return net::JsonError(MakeError(Errc::kInternal, "unknown verdict"));
}

void WitnessHandler::Handle(net::HttpRequest request, net::Responder respond) {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  if (path == "/healthz") {
    if (request.method != "GET") {
      respond(net::JsonErrorWithStatus(405, "method_not_allowed", "use GET"));
      return;
    }
    respond(net::MakeResponse(200, "text/plain; charset=utf-8", "ok\n"));
    return;
  }
  if (path == "/add-checkpoint") {
    if (request.method != "POST") {
      respond(net::JsonErrorWithStatus(405, "method_not_allowed", "use POST"));
      return;
    }
    // The job holds the witness, not this handler: the witness outlives the pool.
    auto add = [witness = &witness_, body = std::move(request.body), peer = std::move(request.peer),
                respond = std::move(respond)] {
      const tlog::AddCheckpointOutcome outcome = witness->AddCheckpoint(body);
      if (outcome.verdict == tlog::WitnessVerdict::kInconsistent) {
        // A validly signed checkpoint that is inconsistent with what we cosigned is evidence of
        // log misbehaviour (tlog-witness: the witness MAY log it).
        spdlog::warn("refused an inconsistent checkpoint from {}: {}", peer, outcome.detail);
      }
      respond(HttpAnswer(outcome));
    };
    if (blocking_ != nullptr) {
      blocking_->Post(std::move(add));
    } else {
      add();
    }
    return;
  }
  constexpr std::string_view kSuffix = "/checkpoint";
  if (path.size() == 1 + 64 + kSuffix.size() && path.substr(65) == kSuffix) {
    if (request.method != "GET") {
      respond(net::JsonErrorWithStatus(405, "method_not_allowed", "use GET"));
      return;
    }
    auto note = witness_.LatestCheckpoint(path.substr(1, 64));
    if (!note.ok()) {
      respond(net::JsonError(note.error()));
      return;
    }
    respond(net::MakeResponse(200, "text/plain; charset=utf-8", std::move(*note)));
    return;
  }
  respond(net::JsonError(MakeError(Errc::kNotFound, "no such endpoint")));
}

Result<std::string> InitWitness(const InitWitnessOptions& options) {
  if (FileExists(options.dir + "/witness.key")) {
    return MakeError(Errc::kConflict, "a witness key exists in " + options.dir);
  }
  if (!tlog::IsValidKeyName(options.name)) {
    return MakeError(Errc::kInvalidArgument, "witness name must have no spaces and no '+'");
  }
  tlog::Cosigner cosigner(options.name, crypto::Ed25519PrivateKey::Generate());
  SecretBytes skey = cosigner.SecretKey();
  CANDOR_TRY(WriteFileDurable(options.dir + "/witness.key", skey.view(), 0600));
  return cosigner.VerifierKey();
}

Result<std::string> WitnessVerifierKey(const std::string& dir) {
  CANDOR_ASSIGN_OR_RETURN(tlog::Cosigner cosigner, LoadCosigner(dir));
  return cosigner.VerifierKey();
}

Status ServeWitness(const ServeWitnessOptions& options) {
  CANDOR_ASSIGN_OR_RETURN(tlog::Cosigner cosigner, LoadCosigner(options.dir));
  std::vector<tlog::TrustedLog> logs;
  for (const std::string& vkey : options.logs) {
    auto key = tlog::ParseVerifierKey(vkey);
    if (!key.ok()) return MakeError(Errc::kInvalidArgument, "--log: " + key.error().message);
    std::string origin = (*key)->name();
    logs.push_back({std::move(origin), std::move(*key)});
  }
  if (logs.empty()) return MakeError(Errc::kInvalidArgument, "witness at least one --log");
  CANDOR_ASSIGN_OR_RETURN(auto hostport, net::SplitHostPort(options.listen));
  const std::string name = cosigner.name();
  tlog::Witness witness(std::move(cosigner), std::move(logs),
                        std::make_unique<tlog::FileWitnessStore>(options.dir + "/state"),
                        SystemClock());
  const uint64_t fd_limit = RaiseDescriptorLimit();
  net::WorkerPool blocking(1);  // one writer at a time: the witness serialises stores anyway
  WitnessHandler handler(witness, &blocking);
  net::HttpServerOptions http;
  http.host = hostport.first;
  http.port = hostport.second;
  http.max_body_bytes = 1 << 20;
  http.max_connections = options.max_connections;
  http.max_connections_per_peer = options.max_connections_per_client;
  http.blocking = &blocking;
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpServer> server,
                          net::HttpServer::Start(http, handler));
  if (!options.port_file.empty()) {
    CANDOR_TRY(WriteFileDurable(options.port_file, AsBytes(std::to_string(server->port()) + "\n")));
  }
  spdlog::info(
      "candor-witness {} listening on http://{}:{}/ ({} descriptors, at most {} connections)", name,
      http.host, server->port(), fd_limit, server->Stats().max_connections);
  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: shutting down", sig);
  server->Stop();
  return OkStatus();
}

}  // namespace candor::witness
