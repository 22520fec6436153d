#include "stack.h"

#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/crypto/sha256.h"
#include "candor/tlog/tile.h"

namespace candor::testing {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

Result<std::unique_ptr<Stack>> Stack::Create(const std::string& name, StackOptions options) {
  auto s = std::make_unique<Stack>();
  s->dir_ = FreshTempDir(name);
  s->options_ = options;
  CommandResult init =
      RunCommand({CANDORD_PATH, "init", "--dir", s->dir_ + "/server", "--log", "main"});
  if (init.status != 0) return MakeError(Errc::kInternal, "candord init: " + init.output);
  auto j = nlohmann::json::parse(init.output, nullptr, false);
  if (j.is_discarded()) return MakeError(Errc::kInternal, "candord init printed: " + init.output);
  s->log_vkey_ = j["vkey"].get<std::string>();
  CANDOR_ASSIGN_OR_RETURN(Bytes token, ReadFile(s->log_dir() + "/append.token"));
  s->token_ = Trim(std::string(AsStringView(token)));
  for (int i = 0; i < options.num_witnesses; ++i) {
    const std::string wdir = s->dir_ + "/w" + std::to_string(i);
    CommandResult w = RunCommand(
        {WITNESS_PATH, "init", "--dir", wdir, "--name", "witness" + std::to_string(i) + ".test"});
    if (w.status != 0) return MakeError(Errc::kInternal, "witness init: " + w.output);
    s->witness_vkeys_.push_back(Trim(w.output));
    std::vector<std::string> argv = {WITNESS_PATH, "serve",       "--dir",       wdir,
                                     "--listen",   "127.0.0.1:0", "--port-file", wdir + "/port",
                                     "--log",      s->log_vkey_};
    argv.insert(argv.end(), options.witness_args.begin(), options.witness_args.end());
    CANDOR_ASSIGN_OR_RETURN(ChildProcess p, ChildProcess::Start(argv, wdir + "/log.txt"));
    s->witnesses_.push_back(std::move(p));
    CANDOR_ASSIGN_OR_RETURN(std::string port,
                            WaitForFile(wdir + "/port", std::chrono::seconds(20)));
    s->witness_ports_.push_back(static_cast<uint16_t>(std::stoi(port)));
  }
  CANDOR_TRY(s->StartServer());
  return s;
}

Status Stack::RestartWitness(size_t i) {
  witnesses_[i].Signal(SIGKILL);
  witnesses_[i].Wait();
  const std::string wdir = dir_ + "/w" + std::to_string(i);
  // The old socket may linger for a moment: retry the bind briefly.
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::vector<std::string> argv = {WITNESS_PATH, "serve",
                                     "--dir",      wdir,
                                     "--listen",   "127.0.0.1:" + std::to_string(witness_ports_[i]),
                                     "--log",      log_vkey_};
    argv.insert(argv.end(), options_.witness_args.begin(), options_.witness_args.end());
    CANDOR_ASSIGN_OR_RETURN(ChildProcess p, ChildProcess::Start(argv, wdir + "/log.txt"));
    net::HttpClient http;
    net::Url u;
    u.host = "127.0.0.1";
    u.port = witness_ports_[i];
    for (int probe = 0; probe < 20; ++probe) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      if (http.Get(u.Join("healthz")).ok()) {
        witnesses_[i] = std::move(p);
        return OkStatus();
      }
    }
    p.Signal(SIGKILL);
    p.Wait();
  }
  return MakeError(Errc::kUnavailable, "witness did not restart");
}

Result<std::string> Stack::WitnessCheckpoint(size_t i) {
  net::HttpClient http;
  net::Url u;
  u.host = "127.0.0.1";
  u.port = witness_ports_[i];
  const std::string origin = trust().log_key->name();
  CANDOR_ASSIGN_OR_RETURN(
      net::HttpResponse r,
      http.Get(u.Join(HexEncode(crypto::Sha256(AsBytes(origin))) + "/checkpoint")));
  if (r.status != 200) return MakeError(Errc::kNotFound, "witness has no checkpoint");
  return r.body;
}

Status Stack::StartServer() {
  const std::string port_file = dir_ + "/server.port";
  std::remove(port_file.c_str());
  std::vector<std::string> argv = {
      CANDORD_PATH,  "serve",       "--dir",   dir_ + "/server", "--listen",
      "127.0.0.1:0", "--port-file", port_file, "--quorum",       std::to_string(options_.quorum)};
  for (size_t i = 0; i < witness_vkeys_.size(); ++i) {
    argv.push_back("--witness");
    argv.push_back("http://127.0.0.1:" + std::to_string(witness_ports_[i]) +
                   "/=" + witness_vkeys_[i]);
  }
  argv.insert(argv.end(), options_.server_args.begin(), options_.server_args.end());
  CANDOR_ASSIGN_OR_RETURN(ChildProcess p, ChildProcess::Start(argv, dir_ + "/server.log",
                                                              options_.server_nofile_limit));
  server_.emplace(std::move(p));
  CANDOR_ASSIGN_OR_RETURN(std::string port, WaitForFile(port_file, std::chrono::seconds(30)));
  server_port_ = static_cast<uint16_t>(std::stoi(port));
  return OkStatus();
}

void Stack::KillServer() {
  if (server_.has_value()) {
    server_->Signal(SIGKILL);
    server_->Wait();
    server_.reset();
  }
}

net::Url Stack::log_url() const {
  net::Url u;
  u.host = "127.0.0.1";
  u.port = server_port_;
  u.path = "/logs/main/";
  return u;
}

tlog::LogTrust Stack::trust() const {
  auto t = tlog::ParseLogTrust(log_vkey_, witness_vkeys_, options_.quorum);
  CANDOR_CHECK(t.ok());
  return std::move(*t);
}

Result<uint64_t> Stack::Append(const std::vector<std::string>& entries) {
  Bytes bundle;
  for (const std::string& e : entries) CANDOR_TRY(tlog::AppendBundleEntry(bundle, AsBytes(e)));
  CANDOR_ASSIGN_OR_RETURN(
      net::HttpResponse res,
      http_.Request("POST", log_url().Join("append-bundle"), std::string(AsStringView(bundle)),
                    {{"Authorization", "Bearer " + token_}}));
  if (res.status != 200) {
    return MakeError(Errc::kUnavailable,
                     "append: HTTP " + std::to_string(res.status) + " " + res.body);
  }
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  if (j.is_discarded() || !j.contains("first_index")) return MakeError(Errc::kMalformed, res.body);
  return j["first_index"].get<uint64_t>();
}

Result<tlog::VerifiedCheckpoint> Stack::WaitForPublished(uint64_t size,
                                                         std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const tlog::LogTrust t = trust();
  net::HttpClient http;
  Error last = MakeError(Errc::kUnavailable, "no checkpoint yet");
  while (std::chrono::steady_clock::now() < deadline) {
    auto res = http.Get(log_url().Join("checkpoint"));
    if (res.ok() && res->status == 200) {
      auto cp = tlog::VerifyCosignedCheckpoint(res->body, t);
      if (cp.ok() && cp->checkpoint.size >= size) return cp;
      if (!cp.ok()) last = cp.error();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return MakeError(Errc::kUnavailable,
                   "no published checkpoint of size " + std::to_string(size) + ": " + last.message);
}

}  // namespace candor::testing
