// witness_server.h: candor-witness, a C2SP tlog-witness over HTTP:
//   POST /add-checkpoint          cosign a checkpoint (tlog-witness add-checkpoint)
//   GET  /<hex sha256(origin)>/checkpoint   the latest cosigned checkpoint (monitoring)
// Layout of its directory: witness.key (0600, the cosigner key), state/ (latest checkpoints).
#pragma once

#include <string>
#include <vector>

#include "candor/base/result.h"
#include "candor/net/http.h"
#include "candor/tlog/witness.h"

namespace candor::witness {

// WitnessHandler adapts tlog::Witness to HTTP.
class WitnessHandler : public net::HttpHandler {
 public:
  explicit WitnessHandler(tlog::Witness& witness) : witness_(witness) {}
  void Handle(net::HttpRequest request, net::Responder respond) override;

 private:
  tlog::Witness& witness_;
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
};

// ServeWitness serves until SIGINT/SIGTERM. Call BlockTerminationSignals() first.
Status ServeWitness(const ServeWitnessOptions& options);

}  // namespace candor::witness
