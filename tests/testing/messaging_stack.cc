#include "messaging_stack.h"

#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/net/http_client.h"

namespace candor::testing {
namespace {

using Json = nlohmann::json;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

Status RewriteConfig(const std::string& file, const std::function<void(Json&)>& edit) {
  CANDOR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(file));
  Json j = Json::parse(AsStringView(raw), nullptr, false);
  if (j.is_discarded()) return MakeError(Errc::kInternal, file + " is not JSON");
  edit(j);
  return WriteFileDurable(file, AsBytes(j.dump(2) + "\n"));
}

}  // namespace

Result<std::unique_ptr<MessagingStack>> MessagingStack::Create(
    const std::string& name, Backend backend, const std::string& config_patch,
    const MessagingStackOptions& options) {
  const Json patch = Json::parse(config_patch, nullptr, false);
  if (patch.is_discarded()) return MakeError(Errc::kInvalidArgument, "config_patch: not JSON");
  auto s = std::make_unique<MessagingStack>();
  s->dir_ = FreshTempDir(name + "_" + BackendName(backend));
  CANDOR_ASSIGN_OR_RETURN(s->database_, FreshDatabaseSpec(backend, name));
  std::vector<std::string> init_argv = {CANDORD_PATH, "init",        "--dir",      s->server_dir(),
                                        "--listen",   "127.0.0.1:0", "--database", s->database_};
  if (options.auditor) {
    CommandResult a = RunCommand({AUDITOR_PATH, "init", "--dir", s->auditor_dir()});
    if (a.status != 0) return MakeError(Errc::kInternal, "candor-auditor init: " + a.output);
    init_argv.insert(init_argv.end(), {"--auditor-key", Trim(a.output), "--max-auditor-lag-ms",
                                       std::to_string(options.max_auditor_lag_ms)});
  }
  CommandResult init = RunCommand(init_argv);
  if (init.status != 0) return MakeError(Errc::kInternal, "candord init: " + init.output);
  const Json j = Json::parse(init.output, nullptr, false);
  if (j.is_discarded() || !j.contains("kt_heads_log")) {
    return MakeError(Errc::kInternal, "candord init printed: " + init.output);
  }
  const std::string heads_vkey = j["kt_heads_log"].get<std::string>();
  Json witnesses = Json::array();
  for (int i = 0; i < 2; ++i) {
    const std::string wdir = s->dir_ + "/w" + std::to_string(i);
    CommandResult w = RunCommand(
        {WITNESS_PATH, "init", "--dir", wdir, "--name", "witness" + std::to_string(i) + ".test"});
    if (w.status != 0) return MakeError(Errc::kInternal, "witness init: " + w.output);
    s->witness_vkeys_.push_back(Trim(w.output));
    CANDOR_ASSIGN_OR_RETURN(
        ChildProcess p,
        ChildProcess::Start({WITNESS_PATH, "serve", "--dir", wdir, "--listen", "127.0.0.1:0",
                             "--port-file", wdir + "/port", "--log", heads_vkey},
                            wdir + "/log.txt"));
    s->witnesses_.push_back(std::move(p));
    CANDOR_ASSIGN_OR_RETURN(std::string port,
                            WaitForFile(wdir + "/port", std::chrono::seconds(20)));
    witnesses.push_back("http://127.0.0.1:" + Trim(port) + "/=" + s->witness_vkeys_.back());
  }
  CANDOR_TRY(RewriteConfig(s->server_dir() + "/candord.json", [&](Json& c) {
    c["witnesses"] = witnesses;
    c["quorum"] = 2;
    c.merge_patch(patch);
  }));
  if (!options.start_server) return s;
  CANDOR_TRY(s->StartServer());
  if (options.auditor) {
    // Ready once candord holds an auditor head: before, it answers no directory query (503).
    CANDOR_TRY(s->StartAuditor());
    for (int probe = 0;; ++probe) {
      auto audited = s->Metric("candor_kt_auditor_tree_size");
      if (audited.ok() && *audited > 0) break;
      if (probe == 400) return MakeError(Errc::kUnavailable, "the auditor signed no head");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return s;
}

std::vector<std::string> MessagingStack::AuditorArgv() const {
  const std::string url =
      auditor_url_.empty() ? "http://127.0.0.1:" + std::to_string(port_) + "/" : auditor_url_;
  return {AUDITOR_PATH,   "run",
          "--dir",        auditor_dir(),
          "--server",     url,
          "--kt-config",  server_dir() + "/kt-config.bin",
          "--token-file", server_dir() + "/keys/auditor.token",
          "--poll-ms",    "50"};
}

Status MessagingStack::StartAuditor() {
  CANDOR_ASSIGN_OR_RETURN(ChildProcess p,
                          ChildProcess::Start(AuditorArgv(), dir_ + "/auditor.log"));
  auditor_.emplace(std::move(p));
  return OkStatus();
}

CommandResult MessagingStack::RunAuditorToEnd() const { return RunCommand(AuditorArgv()); }

void MessagingStack::KillAuditor() {
  if (auditor_.has_value()) {
    auditor_->Signal(SIGKILL);
    auditor_->Wait();
    auditor_.reset();
  }
}

int MessagingStack::StopAuditor() {
  if (!auditor_.has_value()) return -1;
  auditor_->Signal(SIGTERM);
  const int status = auditor_->Wait();
  auditor_.reset();
  return status;
}

std::string MessagingStack::AuditorLog() const {
  auto raw = ReadFile(dir_ + "/auditor.log");
  return raw.ok() ? std::string(AsStringView(*raw)) : std::string();
}

Result<double> MessagingStack::Metric(const std::string& name) const {
  net::HttpClient http;
  CANDOR_ASSIGN_OR_RETURN(net::HttpResponse r, http.Get(trust_.server.Join("metrics")));
  const std::string& body = r.body;
  for (size_t at = 0; at < body.size();) {
    size_t end = body.find('\n', at);
    if (end == std::string::npos) end = body.size();
    const std::string_view line(body.data() + at, end - at);
    if (line.size() > name.size() + 1 && line.substr(0, name.size()) == name &&
        line[name.size()] == ' ') {
      return std::stod(std::string(line.substr(name.size() + 1)));
    }
    at = end + 1;
  }
  return MakeError(Errc::kNotFound, "no metric " + name);
}

Status MessagingStack::StartServer() {
  const std::string port_file = dir_ + "/server.port";
  std::remove(port_file.c_str());
  // The old socket may linger for a moment after a kill: retry the bind briefly.
  for (int attempt = 0; attempt < 50; ++attempt) {
    CANDOR_ASSIGN_OR_RETURN(ChildProcess p,
                            ChildProcess::Start({CANDORD_PATH, "serve", "--dir", server_dir(),
                                                 "--port-file", port_file},
                                                dir_ + "/server.log"));
    auto port = WaitForFile(port_file, std::chrono::seconds(30));
    if (!port.ok()) {
      p.Signal(SIGKILL);
      p.Wait();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    server_.emplace(std::move(p));
    port_ = static_cast<uint16_t>(std::stoi(*port));
    // From now on the server keeps this port, so that clients' trust stays valid.
    CANDOR_TRY(RewriteConfig(server_dir() + "/candord.json",
                             [&](Json& c) { c["listen"] = "127.0.0.1:" + std::to_string(port_); }));
    CANDOR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(server_dir() + "/client-trust.json"));
    CANDOR_ASSIGN_OR_RETURN(trust_, client::ParseClientTrust(AsStringView(raw)));
    net::HttpClient http;
    for (int probe = 0; probe < 200; ++probe) {
      auto r = http.Get(trust_.server.Join("healthz"));
      if (r.ok() && r->status == 200) return OkStatus();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return MakeError(Errc::kUnavailable, "candord does not answer /healthz");
  }
  return MakeError(Errc::kUnavailable, "candord did not start (see " + dir_ + "/server.log)");
}

void MessagingStack::KillServer() {
  if (server_.has_value()) {
    server_->Signal(SIGKILL);
    server_->Wait();
    server_.reset();
  }
}

int MessagingStack::StopServer() {
  if (!server_.has_value()) return -1;
  server_->Signal(SIGTERM);
  const int status = server_->Wait();
  server_.reset();
  return status;
}

Result<std::string> MessagingStack::AddGhostDevice(const std::string& handle,
                                                   const std::string& device) {
  if (StopServer() != 0) return MakeError(Errc::kInternal, "candord did not stop cleanly");
  CommandResult forged =
      RunCommand({OPERATOR_PATH, "--dir", server_dir(), "--handle", handle, "--device", device});
  if (forged.status != 0) {
    return MakeError(Errc::kInternal, "candor-compelled-operator: " + forged.output);
  }
  CANDOR_TRY(StartServer());
  return forged.output;
}

}  // namespace candor::testing
