// witness_server.h: candor-witness, a C2SP tlog-witness over HTTP:
//   POST /add-checkpoint          cosign a checkpoint (tlog-witness add-checkpoint)
//   GET  /<hex sha256(origin)>/checkpoint   the latest cosigned checkpoint (monitoring)
// Layout of its directory: witness.key (0600, the cosigner key), state/ (latest checkpoints).
#pragma once

#include <string>
#include <vector>

#include "candor/base/result.h"
#include "candor/net/http.h"
#include "candor/net/worker_pool.h"
#include "candor/tlog/witness.h"

namespace candor::witness {

// WitnessHandler adapts tlog::Witness to HTTP: verdicts become the status codes of C2SP
// tlog-witness; every error body is JSON (`{"error":...,"detail":...}`) except the 409, whose
// body the spec fixes (`text/x.tlog.size`, the witness's size). add-checkpoint (which fsyncs)
// runs on `blocking` when given. GET /healthz answers "ok".
class WitnessHandler : public net::HttpHandler {
 public:
  explicit WitnessHandler(tlog::Witness& witness, net::WorkerPool* blocking = nullptr)
      : witness_(witness), blocking_(blocking) {}
  void Handle(net::HttpRequest request, net::Responder respond) override;

  // HttpAnswer maps a verdict to its HTTP response.
  static net::HttpResponse HttpAnswer(const tlog::AddCheckpointOutcome& outcome);

 private:
  tlog::Witness& witness_;
  net::WorkerPool* blocking_;
};

struct InitWitnessOptions {
  std::string dir;
  std::string name;  // the cosigner name, e.g. "witness.example/w1"
};

// InitWitness creates a cosigner key in `dir` and returns its vkey. kConflict if one exists.
Result<std::string> InitWitness(const InitWitnessOptions& options);

// WitnessVerifierKey returns the vkey of the witness in `dir`.
Result<std::string> WitnessVerifierKey(const std::string& dir);

struct ServeWitnessOptions {
  std::string dir;
  std::string listen = "127.0.0.1:8090";
  std::string port_file;
  std::vector<std::string> logs;  // vkeys of the logs to witness (origin = key name)
  size_t max_connections = 0;     // 0: derived from the descriptor limit
  size_t max_connections_per_client = 64;
};

// ServeWitness serves until SIGINT/SIGTERM. Call BlockTerminationSignals() first.
Status ServeWitness(const ServeWitnessOptions& options);

}  // namespace candor::witness
