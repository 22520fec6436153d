#include "candor/auditor/follower.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/kt/cipher_suite.h"

namespace candor::auditor {
namespace {

std::string KeyPath(const std::string& dir) { return dir + "/auditor.key"; }
std::string RecordPath(const std::string& dir) { return dir + "/auditor.record"; }
std::string AlarmPath(const std::string& dir) { return dir + "/alarm"; }

// Pause waits `d`, or less if `stop` is requested meanwhile.
void Pause(const std::stop_token& stop, std::chrono::milliseconds d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
}

}  // namespace

Result<std::string> InitAuditor(const std::string& dir, kt::CipherSuite suite) {
  if (FileExists(KeyPath(dir))) {
    return MakeError(Errc::kConflict, "an auditor key exists: " + KeyPath(dir));
  }
  CANDOR_ASSIGN_OR_RETURN(kt::CipherSuiteParams params,
                          kt::GetCipherSuite(static_cast<uint16_t>(suite)));
  const auto key = crypto::SignaturePrivateKey::Generate(params.signature);
  CANDOR_TRY(WriteFileDurable(KeyPath(dir), key.private_key(), 0600));
  return Base64Encode(key.public_key());
}

Result<std::unique_ptr<Follower>> Follower::Open(FollowerOptions options, kt::Configuration config,
                                                 SecretBytes token) {
  if (FileExists(AlarmPath(options.dir))) {
    CANDOR_ASSIGN_OR_RETURN(Bytes alarm, ReadFile(AlarmPath(options.dir)));
    return MakeError(Errc::kVerifyFailed,
                     "this auditor caught the directory misbehaving and signs nothing more for "
                     "it: " +
                         std::string(AsStringView(alarm)));
  }
  if (token.size() == 0) return MakeError(Errc::kInvalidArgument, "the bearer token is empty");
  CANDOR_ASSIGN_OR_RETURN(kt::CipherSuiteParams params,
                          kt::GetCipherSuite(static_cast<uint16_t>(config.ciphersuite)));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes raw, ReadSecretFile(KeyPath(options.dir)));
  CANDOR_ASSIGN_OR_RETURN(crypto::SignaturePrivateKey key,
                          crypto::SignaturePrivateKey::FromBytes(params.signature, raw.view()));
  CANDOR_ASSIGN_OR_RETURN(AuditorRecord record, LoadRecord(RecordPath(options.dir)));
  Result<kt::Auditor> auditor =
      record.state.tree_size == 0
          ? kt::Auditor::Create(std::move(config), std::move(key))
          : kt::Auditor::Restore(std::move(config), std::move(key), record.state);
  if (!auditor.ok()) return auditor.error();
  return std::unique_ptr<Follower>(
      new Follower(std::move(options), std::move(*auditor), std::move(record), std::move(token)));
}

Result<bool> Follower::Step() {
  const uint64_t position = auditor_.size();
  CANDOR_ASSIGN_OR_RETURN(
      net::HttpResponse r,
      http_.Get(options_.server.Join("v1/directory/auditor-update/" + std::to_string(position))));
  if (r.status == 404) return false;  // not published yet
  if (r.status != 200) return net::ErrorFromResponse(r);
  auto update = tls::DecodeExact<kt::AuditorUpdate>(AsBytes(r.body));
  if (!update.ok()) {
    return MakeError(Errc::kUnavailable, "the AuditorUpdate of entry " + std::to_string(position) +
                                             " does not decode: " + update.error().message);
  }
  auto head = auditor_.Process(*update);
  if (!head.ok()) {
    CANDOR_TRY(RaiseAlarm(MakeError(
        head.error().code, "entry " + std::to_string(position) + ": " + head.error().message)));
    return head.error();
  }
  // The record is durable before anyone sees the head: a restart never signs a second head
  // for a size, and never forgets one it handed out.
  AuditorRecord next{auditor_.state(), *head};
  CANDOR_TRY(SaveRecord(RecordPath(options_.dir), next));
  record_ = std::move(next);
  if (Status st = PostHead(); !st.ok()) {
    spdlog::warn("auditor head {} not taken: {}", record_.state.tree_size, st.error().ToString());
  }
  return true;
}

Status Follower::PostHead() {
  if (!record_.head) return OkStatus();
  // The HTTP client takes headers as strings: the token passes through this one briefly.
  std::string bearer = "Bearer ";
  bearer.append(AsStringView(token_.view()));
  auto r = http_.Request("POST", options_.server.Join("v1/directory/auditor-head"),
                         std::string(AsStringView(tls::Encode(*record_.head))),
                         {{"Content-Type", "application/octet-stream"}, {"Authorization", bearer}});
  std::fill(bearer.begin(), bearer.end(), '\0');
  if (!r.ok()) return r.error();
  if (r->status != 200) return net::ErrorFromResponse(*r);
  return OkStatus();
}

Status Follower::Run(const std::stop_token& stop) {
  auto last_post = std::chrono::steady_clock::time_point{};
  while (!stop.stop_requested()) {
    auto checked = Step();
    if (checked.ok() && *checked) {
      last_post = std::chrono::steady_clock::now();
      continue;
    }
    if (!checked.ok()) {
      if (checked.error().code == Errc::kVerifyFailed) return checked.error();
      spdlog::warn("auditor at entry {}: {}", auditor_.size(), checked.error().ToString());
    } else if (std::chrono::steady_clock::now() - last_post >= options_.repost) {
      if (Status st = PostHead(); !st.ok() && st.error().code != Errc::kConflict) {
        spdlog::warn("auditor head {} not taken: {}", auditor_.size(), st.error().ToString());
      }
      last_post = std::chrono::steady_clock::now();
    }
    Pause(stop, options_.poll);
  }
  return OkStatus();
}

Status Follower::RaiseAlarm(const Error& why) {
  spdlog::error("ALARM: the directory misbehaved; this auditor signs nothing more: {}",
                why.message);
  return WriteFileDurable(AlarmPath(options_.dir), AsBytes(why.message + "\n"));
}

}  // namespace candor::auditor
