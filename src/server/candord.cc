#include "candor/server/candord.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/process.h"
#include "candor/crypto/random.h"
#include "candor/crypto/secret_encoding.h"
#include "candor/crypto/sha256.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/tlog_head_sink.h"
#include "candor/net/http_server.h"
#include "candor/net/router.h"
#include "candor/net/worker_pool.h"
#include "candor/server/auth_service.h"
#include "candor/server/config.h"
#include "candor/server/delivery_service.h"
#include "candor/server/directory_service.h"
#include "candor/server/key_package_service.h"
#include "candor/server/log_service.h"
#include "candor/server/metrics.h"
#include "candor/server/scheduler.h"
#include "candor/store/auth_store.h"
#include "candor/store/delivery_store.h"
#include "candor/store/key_package_store.h"
#include "candor/store/lease_store.h"
#include "candor/store/pg_listener.h"
#include "candor/store/presence_store.h"
#include "candor/store/sql_directory_store.h"
#include "candor/store/sql_log_storage.h"
#include "candor/store/wake_hint.h"
#include "candor/tlog/note.h"
#include "json_util.h"

namespace candor::server {
namespace {

constexpr char kHeadsLog[] = "kt-heads";
// The cluster token: front nodes forward directory updates to the sequencer with it (every node
// has the same file).
constexpr char kClusterToken[] = "keys/cluster.token";
// A cluster node wakes all its sockets this often (hints that were lost), and keeps its
// presence rows alive this often.
constexpr std::chrono::milliseconds kDeliverySweep{30000};
constexpr std::chrono::milliseconds kPresenceRefresh{10000};
// A front node forwards at most this many directory updates at once, each on a thread of its
// own while the sequencer publishes it (more are answered 503).
constexpr int kForwardedUpdates = 32;
constexpr kt::CipherSuite kKtSuite = kt::CipherSuite::KT_128_SHA256_Ed25519;

std::string LogDir(const std::string& dir, const std::string& name) {
  return dir + "/logs/" + name;
}

Result<std::vector<WitnessEndpoint>> ParseWitnesses(const std::vector<std::string>& specs,
                                                    size_t quorum) {
  std::vector<WitnessEndpoint> out;
  for (const std::string& spec : specs) {
    CANDOR_ASSIGN_OR_RETURN(WitnessEndpoint w, ParseWitnessSpec(spec));
    out.push_back(std::move(w));
  }
  if (quorum > out.size()) {
    return MakeError(Errc::kInvalidArgument, "the quorum is larger than the number of witnesses");
  }
  return out;
}

// WriteNewToken writes a fresh random bearer token (base64 of 32 bytes, then a newline) to
// `path` (0600), from wiped buffers only; the encoding runs in constant time.
Status WriteNewToken(const std::string& path) {
  SecretBytes raw(32);
  crypto::FillRandom(raw.data(), raw.size());
  const SecretBytes encoded = crypto::Base64EncodeSecret(raw.view());
  SecretBytes token(encoded.size() + 1);
  std::copy(encoded.view().begin(), encoded.view().end(), token.data());
  token.data()[encoded.size()] = '\n';
  return WriteFileDurable(path, token.view(), 0600);
}

// LoadTokenHash reads a token file and returns the SHA-256 of the token (the line, without its
// end); only the hash is kept.
Result<Hash32> LoadTokenHash(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(SecretBytes token, ReadTokenFile(path));
  return crypto::Sha256(token.view());
}

// OpenLog opens log `name` for writing: in files under its folder, or in `storage` (a cluster's
// sequencer) when given.
Result<std::unique_ptr<LogService>> OpenLog(const std::string& dir, const std::string& name,
                                            const std::vector<WitnessEndpoint>& witnesses,
                                            size_t quorum, std::chrono::milliseconds cosign_refresh,
                                            std::shared_ptr<tlog::LogStorage> storage,
                                            Executor& executor) {
  const std::string log_dir = LogDir(dir, name);
  CANDOR_ASSIGN_OR_RETURN(tlog::ParsedSecretKey key,
                          tlog::LoadSecretKeyFile(log_dir + "/log.key", tlog::kSigTypeEd25519));
  LogServiceOptions opts;
  CANDOR_ASSIGN_OR_RETURN(opts.append_token_hash, LoadTokenHash(log_dir + "/append.token"));
  opts.name = name;
  opts.writer.dir = log_dir;
  opts.writer.storage = std::move(storage);
  opts.writer.origin = key.name;
  opts.witnesses = witnesses;
  opts.quorum = quorum;
  opts.cosign_refresh = cosign_refresh;
  return LogService::Create(std::move(opts),
                            std::make_unique<tlog::Ed25519NoteSigner>(key.name, std::move(key.key)),
                            executor);
}

// StoredLogSize is the size of the newest durable checkpoint in `storage` (0 for a log that
// has none yet). A front node counts the heads the sequencer logged with it.
Result<uint64_t> StoredLogSize(tlog::LogStorage& storage) {
  auto stored = storage.ReadCheckpoint();
  if (!stored.ok() && stored.error().code == Errc::kNotFound) return uint64_t{0};
  if (!stored.ok()) return std::move(stored).error();
  CANDOR_ASSIGN_OR_RETURN(tlog::Note note, tlog::ParseNote(AsStringView(*stored)));
  CANDOR_ASSIGN_OR_RETURN(tlog::Checkpoint cp, tlog::ParseCheckpoint(note.text));
  return cp.size;
}

// LoggedHeadsIn counts the heads the sequencer logged in `storage` (0, with a warning, when the
// database does not answer): what a follower may show.
std::function<uint64_t()> LoggedHeadsIn(std::shared_ptr<tlog::LogStorage> storage) {
  return [s = std::move(storage)] {
    auto size = StoredLogSize(*s);
    if (!size.ok()) spdlog::warn("kt-heads log: {}", size.error().ToString());
    return size.ok() ? *size : 0;
  };
}

// FollowTask brings follower `directory` up to the heads `logged` counts, warning on failure.
std::function<void()> FollowTask(kt::Directory* directory, std::function<uint64_t()> logged) {
  return [directory, logged = std::move(logged)] {
    if (auto size = directory->Follow(logged()); !size.ok()) {
      spdlog::warn("kt-follow: {}", size.error().ToString());
    }
  };
}

// LeaseKeeper renews a sequencer's lease every `period` on a thread of its own, from the moment
// the lease is taken (a long start-up, such as replaying a large directory, must not let it
// expire). Once the lease is lost it asks the process to stop: the fence refuses every write
// from then on anyway. Does nothing without a lease.
class LeaseKeeper {
 public:
  LeaseKeeper(SequencerLease* lease, std::chrono::milliseconds period) : lease_(lease) {
    if (lease_ != nullptr) thread_ = std::thread([this, period] { Run(period); });
  }
  ~LeaseKeeper() { Stop(); }
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Finish stops renewing and hands the lease over (a clean shutdown); kConflict if it was lost.
  Status Finish() {
    Stop();
    if (lease_ == nullptr) return OkStatus();
    if (lost_) {
      return MakeError(Errc::kConflict,
                       "this node lost the sequencer lease and stepped down; a standby holds it");
    }
    lease_->Release();
    return OkStatus();
  }

 private:
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void Run(std::chrono::milliseconds period) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
      lock.unlock();
      const Status renewed = lease_->Renew();
      lock.lock();
      if (renewed.ok()) continue;
      if (renewed.error().code != Errc::kConflict) {
        spdlog::warn("sequencer: could not renew the lease: {}", renewed.error().ToString());
        continue;
      }
      spdlog::error("sequencer: {}; stepping down", renewed.error().message);
      lost_ = true;
      RequestTermination();
      return;
    }
  }

  SequencerLease* const lease_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool lost_ = false;  // written by the thread, read after it is joined
  std::thread thread_;
};

// HintListener receives this node's wake-up hints (presence_store.h) on a thread of its own and
// wakes the sockets they name. After every (re)connection it wakes them all: hints sent while
// it was not listening are lost.
class HintListener {
 public:
  HintListener(std::string conninfo, std::string channel, DeliveryService& delivery)
      : conninfo_(std::move(conninfo)), channel_(std::move(channel)), delivery_(delivery) {
    thread_ = std::thread([this] { Run(); });
  }
  ~HintListener() {
    stop_ = true;
    thread_.join();
  }
  HintListener(const HintListener&) = delete;
  HintListener& operator=(const HintListener&) = delete;

 private:
  void Run() {
    bool said = false;
    while (!stop_) {
      auto listener = store::PgListener::Open(conninfo_, channel_);
      if (!listener.ok()) {
        if (!said) spdlog::warn("delivery hints: {}; retrying", listener.error().ToString());
        said = true;
        for (int i = 0; i < 10 && !stop_; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        continue;
      }
      said = false;
      delivery_.WakeAll();
      while (!stop_) {
        auto payloads = (*listener)->Wait(std::chrono::milliseconds(200));
        if (!payloads.ok()) {
          spdlog::warn("delivery hints: {}", payloads.error().ToString());
          break;
        }
        for (const std::string& payload : *payloads) {
          auto hint = store::ParseHint(payload);
          if (!hint.ok()) continue;
          if (*hint) {
            delivery_.Notify(**hint);
          } else {
            delivery_.WakeAll();
          }
        }
      }
    }
  }

  const std::string conninfo_;
  const std::string channel_;
  DeliveryService& delivery_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The messaging services of a configured server, in the order they are built (and, in reverse,
// destroyed).
struct Messaging {
  std::unique_ptr<store::PresenceStore> presence;  // a cluster node's sockets, for hints
  std::unique_ptr<store::SqlDirectoryStore> kt_store;
  std::unique_ptr<store::AuthStore> auth_store;
  std::unique_ptr<store::KeyPackageStore> kp_store;
  std::unique_ptr<store::DeliveryStore> delivery_store;
  std::unique_ptr<kt::Directory> directory;
  std::unique_ptr<DirectoryService> directory_service;
  std::unique_ptr<AuthService> auth;
  std::unique_ptr<KeyPackageService> keypackages;
  std::unique_ptr<DeliveryService> delivery;
};

Result<kt::Configuration> LoadKtConfig(const std::string& dir) {
  CANDOR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(dir + "/kt-config.bin"));
  return tls::DecodeExact<kt::Configuration>(raw);
}

// HeadsLog is how the directory reaches the tree-head log: it appends to it (`writer`, on a
// single node or the sequencer), or only counts its heads (a front node).
struct HeadsLog {
  tlog::LogWriter* writer = nullptr;
  std::function<uint64_t()> logged_heads;
};

// HeadSinkOf is the directory's head sink for `heads`: its log, or a refusal on a follower.
kt::Directory::HeadSink HeadSinkOf(const HeadsLog& heads) {
  if (heads.writer != nullptr) return kt::TlogHeadSink(*heads.writer);
  return [](ByteView, ByteView) -> Status {
    return MakeError(Errc::kInternal, "a front node does not log tree heads");
  };
}

// StandbyFence is the fence of a standby's directory store, opened before the node holds the
// lease: it refuses every write until Arm gives it the lease's fence (a standby only reads).
// Arm before any thread writes through it.
class StandbyFence {
 public:
  store::SqlFence Fence() const {
    return [slot = slot_](store::SqlTx& tx) -> Status {
      if (!*slot) return MakeError(Errc::kConflict, "a standby sequencer does not write");
      return (*slot)(tx);
    };
  }
  void Arm(store::SqlFence fence) { *slot_ = std::move(fence); }

 private:
  std::shared_ptr<store::SqlFence> slot_ = std::make_shared<store::SqlFence>();
};

// KtDirectory is the key directory and its store: opened by OpenMessaging, or earlier by a
// standby sequencer that keeps it warm (a follower) until it takes the lease.
struct KtDirectory {
  std::unique_ptr<store::SqlDirectoryStore> store;
  std::unique_ptr<kt::Directory> directory;
};

// OpenKtDirectory opens the directory of the server in `dir` over `db`: a publisher when
// `heads.writer` is set, a follower otherwise. Writes to its store run `fence` first.
Result<KtDirectory> OpenKtDirectory(const std::string& dir, store::SqlDatabase& db,
                                    store::SqlFence fence, const HeadsLog& heads,
                                    Executor& background, const Clock& clock) {
  KtDirectory out;
  CANDOR_ASSIGN_OR_RETURN(out.store, store::SqlDirectoryStore::Open(db, std::move(fence)));
  CANDOR_ASSIGN_OR_RETURN(kt::Configuration kt_config, LoadKtConfig(dir));
  CANDOR_ASSIGN_OR_RETURN(kt::CipherSuiteParams suite,
                          kt::GetCipherSuite(static_cast<uint16_t>(kt_config.ciphersuite)));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes sig_raw, ReadSecretFile(dir + "/keys/kt-signature.key"));
  CANDOR_ASSIGN_OR_RETURN(crypto::SignaturePrivateKey sig,
                          crypto::SignaturePrivateKey::FromBytes(suite.signature, sig_raw.view()));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes vrf_raw, ReadSecretFile(dir + "/keys/kt-vrf.key"));
  CANDOR_ASSIGN_OR_RETURN(crypto::VrfPrivateKey vrf,
                          crypto::VrfPrivateKey::FromBytes(suite.vrf, vrf_raw.view()));
  kt::DirectoryOptions directory_options;
  directory_options.executor = &background;
  // Searches far outnumber updates: a search then reads its ladder's VRF proofs.
  directory_options.prove_at_publish = true;
  // The heads log holds the head of tree size i + 1 at entry i (clients rely on it).
  directory_options.logged_heads = heads.logged_heads;
  directory_options.follower = heads.writer == nullptr;
  CANDOR_ASSIGN_OR_RETURN(
      out.directory, kt::Directory::Open(std::move(kt_config), std::move(sig), std::move(vrf),
                                         *out.store, clock, HeadSinkOf(heads), directory_options));
  return out;
}

// OpenMessaging opens the stores and the services over `db`. The directory is `warm`'s,
// promoted to publish to `heads.writer`, when a standby sequencer kept one; else it is opened.
Result<std::unique_ptr<Messaging>> OpenMessaging(const std::string& dir, const ServerConfig& config,
                                                 store::SqlDatabase& db, store::SqlFence fence,
                                                 const HeadsLog& heads, KtDirectory* warm,
                                                 Metrics& metrics, net::WorkerPool& pool,
                                                 Executor& background, const Clock& clock) {
  auto m = std::make_unique<Messaging>();
  if (warm != nullptr) {
    const auto start = std::chrono::steady_clock::now();
    const uint64_t was = warm->directory->size();
    CANDOR_TRY(warm->directory->Promote(HeadSinkOf(heads), heads.logged_heads));
    spdlog::info("sequencer: the warm directory went from size {} to {} in {} ms", was,
                 warm->directory->size(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count());
    m->kt_store = std::move(warm->store);
    m->directory = std::move(warm->directory);
  } else {
    CANDOR_ASSIGN_OR_RETURN(KtDirectory kt,
                            OpenKtDirectory(dir, db, std::move(fence), heads, background, clock));
    m->kt_store = std::move(kt.store);
    m->directory = std::move(kt.directory);
  }
  CANDOR_ASSIGN_OR_RETURN(m->auth_store, store::AuthStore::Open(db));
  CANDOR_ASSIGN_OR_RETURN(m->kp_store, store::KeyPackageStore::Open(db));
  CANDOR_ASSIGN_OR_RETURN(m->delivery_store, store::DeliveryStore::Open(db, {config.max_queue}));
  if (config.cluster.role != NodeRole::kSingle) {
    // This process's name among the nodes (new at every start: a restarted node holds no
    // socket of the last run).
    Bytes nonce(8);
    crypto::FillRandom(nonce.data(), nonce.size());
    CANDOR_ASSIGN_OR_RETURN(m->presence, store::PresenceStore::Open(db, HexEncode(nonce)));
    m->delivery_store->SetPresence(m->presence.get());
  }
  m->directory_service =
      std::make_unique<DirectoryService>(*m->directory, clock, metrics, config.directory);
  if (m->directory->config().mode == kt::DeploymentMode::thirdPartyAuditing &&
      config.cluster.role != NodeRole::kSingle) {
    return MakeError(Errc::kInvalidArgument,
                     "a cluster does not serve a directory in thirdPartyAuditing mode yet");
  }
  if (m->directory->config().mode == kt::DeploymentMode::thirdPartyAuditing) {
    // The auditor must be able to sign a head for every entry before clients find it too old:
    // an idle directory adds an entry every heartbeat.
    const auto lag = m->directory->config().max_auditor_lag;
    if (static_cast<uint64_t>(config.directory.heartbeat_interval.count()) * 2 > lag) {
      return MakeError(Errc::kInvalidArgument,
                       "directory.heartbeat_interval_ms must be at most half of the "
                       "Configuration's max_auditor_lag (" +
                           std::to_string(lag) + " ms)");
    }
    CANDOR_ASSIGN_OR_RETURN(Hash32 token, LoadTokenHash(dir + "/keys/auditor.token"));
    m->directory_service->AcceptAuditorHeads(token);
  }
  m->auth = std::make_unique<AuthService>(*m->auth_store, *m->directory_service, clock, metrics,
                                          config.auth);
  m->keypackages = std::make_unique<KeyPackageService>(*m->kp_store, *m->directory_service, clock,
                                                       metrics, config.keypackages);
  m->delivery = std::make_unique<DeliveryService>(*m->delivery_store, *m->directory_service, clock,
                                                  metrics, pool, config.delivery);
  m->delivery->SetPresence(m->presence.get());
  return m;
}

Status WriteTrustFile(const std::string& dir, const std::string& host, uint16_t port,
                      const ServerConfig& config, const LogService& heads) {
  CANDOR_ASSIGN_OR_RETURN(Bytes kt_config, ReadFile(dir + "/kt-config.bin"));
  Json witnesses = Json::array();
  for (const std::string& spec : config.witnesses) {
    witnesses.push_back(spec.substr(spec.find('=') + 1));
  }
  CANDOR_ASSIGN_OR_RETURN(
      tlog::ParsedSecretKey key,
      tlog::LoadSecretKeyFile(LogDir(dir, kHeadsLog) + "/log.key", tlog::kSigTypeEd25519));
  tlog::Ed25519NoteSigner signer(key.name, std::move(key.key));
  (void)heads;
  Json trust = {{"server", "http://" + host + ":" + std::to_string(port) + "/"},
                {"kt_config", B64(kt_config)},
                {"kt_heads_log", signer.VerifierKey()},
                {"witnesses", witnesses},
                {"quorum", config.quorum}};
  return WriteFileDurable(dir + "/client-trust.json", AsBytes(trust.dump(2) + "\n"));
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
  out.token_file = dir + "/append.token";
  CANDOR_TRY(WriteNewToken(out.token_file));
  out.vkey = signer.VerifierKey();
  return out;
}

Result<InitServerResult> InitServer(const InitServerOptions& options) {
  const std::string config_file = options.dir + "/candord.json";
  if (FileExists(config_file)) {
    return MakeError(Errc::kConflict, "a configuration exists: " + config_file);
  }
  ServerConfig config;
  config.listen = options.listen;
  // An absolute path, so that `serve` finds the database from any working directory.
  config.database =
      options.database.empty()
          ? "sqlite:" +
                std::filesystem::absolute(options.dir + "/candor.db").lexically_normal().string()
          : options.database;
  config.witnesses = options.witnesses;
  config.quorum = options.quorum;
  CANDOR_TRY(ParseWitnesses(config.witnesses, config.quorum));
  // The directory's keys and the Configuration every client pins.
  CANDOR_ASSIGN_OR_RETURN(kt::CipherSuiteParams suite,
                          kt::GetCipherSuite(static_cast<uint16_t>(kKtSuite)));
  const auto sig = crypto::SignaturePrivateKey::Generate(suite.signature);
  const auto vrf = crypto::VrfPrivateKey::Generate(suite.vrf);
  kt::Configuration kt;
  kt.ciphersuite = kKtSuite;
  kt.mode = kt::DeploymentMode::contactMonitoring;
  CANDOR_TRY(WriteNewToken(options.dir + "/" + kClusterToken));
  if (!options.auditor_key.empty()) {
    auto key = Base64Decode(options.auditor_key);
    if (!key.ok()) return MakeError(Errc::kInvalidArgument, "--auditor-key is not base64");
    kt.mode = kt::DeploymentMode::thirdPartyAuditing;
    kt.auditor_public_key = std::move(*key);
    kt.auditor_start_pos = 0;
    kt.max_auditor_lag = options.max_auditor_lag_ms;
    // An idle directory adds an entry every heartbeat: beat at least twice per allowed lag.
    config.directory.heartbeat_interval =
        std::min(config.directory.heartbeat_interval,
                 std::chrono::milliseconds(options.max_auditor_lag_ms / 2));
    if (config.directory.heartbeat_interval < config.directory.publish_interval) {
      return MakeError(Errc::kInvalidArgument,
                       "--max-auditor-lag-ms is below two publish intervals");
    }
  }
  kt.signature_public_key = sig.public_key();
  kt.vrf_public_key = vrf.public_key();
  kt.max_ahead = 10'000;                        // a head 10 s in the client's future is refused
  kt.max_behind = 120'000;                      // heartbeats every 30 s keep the log fresh
  kt.reasonable_monitoring_window = 3'600'000;  // owners monitor at least hourly
  CANDOR_TRY(kt::ValidateConfiguration(kt));
  CANDOR_TRY(WriteFileDurable(options.dir + "/keys/kt-signature.key", sig.private_key(), 0600));
  CANDOR_TRY(WriteFileDurable(options.dir + "/keys/kt-vrf.key", vrf.private_key(), 0600));
  const Bytes kt_bytes = tls::Encode(kt);
  CANDOR_TRY(WriteFileDurable(options.dir + "/kt-config.bin", kt_bytes));
  std::string auditor_token_file;
  if (kt.mode == kt::DeploymentMode::thirdPartyAuditing) {
    auditor_token_file = options.dir + "/keys/auditor.token";
    CANDOR_TRY(WriteNewToken(auditor_token_file));
  }
  InitLogOptions heads;
  heads.dir = options.dir;
  heads.name = kHeadsLog;
  heads.origin = options.origin_prefix + "/kt-heads";
  CANDOR_ASSIGN_OR_RETURN(InitLogResult log, InitLog(heads));
  CANDOR_TRY(WriteFileDurable(config_file, AsBytes(FormatServerConfig(config))));
  return InitServerResult{config_file, Base64Encode(kt_bytes), log.vkey, auditor_token_file};
}

Status Serve(const ServeOptions& options) {
  // 1. Configuration.
  const std::string config_file =
      options.config_file.empty() ? options.dir + "/candord.json" : options.config_file;
  if (!options.config_file.empty() && !FileExists(config_file)) {
    return MakeError(Errc::kNotFound, "no configuration file " + config_file);
  }
  const bool messaging = FileExists(config_file);
  ServerConfig config;
  if (messaging) {
    CANDOR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(config_file));
    CANDOR_ASSIGN_OR_RETURN(config, ParseServerConfig(AsStringView(raw), options.dir));
  } else {
    config.witnesses = options.witnesses;
    config.quorum = options.quorum;
    config.cosign_refresh = options.cosign_refresh;
    config.http_threads = options.num_threads;
    config.blocking_threads = 2;
    config.max_connections = options.max_connections;
    config.max_connections_per_client = options.max_connections_per_client;
  }
  if (!options.listen.empty()) config.listen = options.listen;
  CANDOR_ASSIGN_OR_RETURN(auto hostport, net::SplitHostPort(config.listen));
  CANDOR_ASSIGN_OR_RETURN(std::vector<WitnessEndpoint> witnesses,
                          ParseWitnesses(config.witnesses, config.quorum));
  const uint64_t fd_limit = RaiseDescriptorLimit();

  // 2. What every service shares: the threads, metrics, the scheduler. Three pools, so that
  // work never waits for a thread held by work that waits for it: `pool` runs requests' blocking
  // work; `background` runs the timers (a directory publish blocks until the heads log made its
  // entry durable); `log_pool` runs the logs' batches and witness rounds, which wait for nothing
  // but disk and network. A witness round of a log holds up to one thread per witness (the
  // witnesses are asked at once, and a dead one holds its thread until the request times out),
  // so `log_pool` has that many per log plus two for the batches: a slow witness never delays
  // an append.
  std::vector<std::string> log_names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options.dir + "/logs", ec)) {
    if (entry.is_directory() && FileExists(entry.path().string() + "/log.key")) {
      log_names.push_back(entry.path().filename().string());
    }
  }
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<net::WorkerPool> pool_owner,
                          net::WorkerPool::Create(config.blocking_threads));
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<net::WorkerPool> background_owner,
                          net::WorkerPool::Create(2));
  CANDOR_ASSIGN_OR_RETURN(
      std::unique_ptr<net::WorkerPool> log_pool_owner,
      net::WorkerPool::Create(static_cast<int>(2 + log_names.size() * witnesses.size())));
  net::WorkerPool& pool = *pool_owner;
  net::WorkerPool& background = *background_owner;
  net::WorkerPool& log_pool = *log_pool_owner;
  const Clock clock = SystemClock();  // the one wall clock of the process
  Metrics metrics;
  Scheduler scheduler(background);
  net::Router router(&pool);

  // 3. The database of a messaging server and, in a cluster, this node's role. A sequencer
  // candidate waits on standby until it holds the lease; every write it makes is then fenced.
  const NodeRole role = config.cluster.role;
  std::unique_ptr<store::SqlDatabase> db;
  std::unique_ptr<store::LeaseStore> leases;
  std::unique_ptr<SequencerLease> lease;
  if (messaging) {
    CANDOR_ASSIGN_OR_RETURN(db, store::OpenDatabase(config.database));
  }
  if (role != NodeRole::kSingle) {
    CANDOR_ASSIGN_OR_RETURN(leases, store::LeaseStore::Open(*db));
  }
  // A standby keeps the directory warm: it follows what the sequencer publishes, so that
  // taking over costs the entries of the last moments, not a replay of the whole directory.
  StandbyFence standby_fence;
  std::optional<KtDirectory> warm;
  if (role == NodeRole::kSequencer) {
    spdlog::info("sequencer candidate {}: waiting for the sequencer lease",
                 config.cluster.advertise_url);
    std::function<void()> follow = [] {};
    if (messaging) {
      HeadsLog following;
      CANDOR_ASSIGN_OR_RETURN(auto heads_stored, store::SqlLogStorage::Open(*db, kHeadsLog, {}));
      following.logged_heads = LoggedHeadsIn(std::move(heads_stored));
      CANDOR_ASSIGN_OR_RETURN(warm, OpenKtDirectory(options.dir, *db, standby_fence.Fence(),
                                                    following, background, clock));
      spdlog::info("sequencer candidate: directory open at size {}, following it on standby",
                   warm->directory->size());
      follow = FollowTask(warm->directory.get(), following.logged_heads);
    }
    const auto step = config.cluster.follow_interval;
    CANDOR_ASSIGN_OR_RETURN(
        lease, SequencerLease::Acquire(
                   *leases, config.cluster, clock, [&follow, step](std::chrono::milliseconds wait) {
                     const auto until = std::chrono::steady_clock::now() + wait;
                     for (;;) {
                       follow();
                       const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                           until - std::chrono::steady_clock::now());
                       if (left.count() <= 0) return true;
                       if (WaitForTerminationSignalFor(std::min(left, step)) != 0) return false;
                     }
                   }));
    if (!lease) return OkStatus();  // stopped while on standby
    spdlog::info("sequencer: holding the lease (term {})", lease->lease().term);
  }
  LeaseKeeper keeper(lease.get(), config.cluster.lease / 3);
  const store::SqlFence fence = lease ? lease->Fence() : store::SqlFence();
  if (lease) standby_fence.Arm(fence);

  // 4. Logs: files on a single node; in a cluster, the database (written by the sequencer,
  // served by every node).
  std::vector<std::unique_ptr<LogService>> logs;
  LogService* heads = nullptr;
  std::shared_ptr<store::SqlLogStorage> heads_storage;
  for (const std::string& name : log_names) {
    std::shared_ptr<store::SqlLogStorage> storage;
    if (role != NodeRole::kSingle) {
      CANDOR_ASSIGN_OR_RETURN(storage, store::SqlLogStorage::Open(*db, name, fence));
    }
    std::unique_ptr<LogService> log;
    if (role == NodeRole::kFront) {
      log = LogService::CreateReader(name, storage, log_pool);
    } else {
      auto opened = OpenLog(options.dir, name, witnesses, config.quorum, config.cosign_refresh,
                            storage, log_pool);
      if (!opened.ok()) {
        return MakeError(opened.error().code, "log " + name + ": " + opened.error().message);
      }
      log = std::move(*opened);
      spdlog::info("log {} (origin {}) at size {}", name, log->writer().origin(),
                   log->writer().Latest().checkpoint.size);
    }
    log->Register(router);
    if (name == kHeadsLog) {
      heads = log.get();
      heads_storage = storage;
    }
    logs.push_back(std::move(log));
  }
  if (logs.empty() && !messaging) {
    return MakeError(Errc::kNotFound, "nothing to serve in " + options.dir + " (run candord init)");
  }

  // 5. Messaging: stores, directory, services.
  std::unique_ptr<Messaging> m;
  std::unique_ptr<SequencerForwarder> forwarder;
  std::unique_ptr<net::WorkerPool> forwarding;  // a front node's updates waiting on the sequencer
  std::unique_ptr<HintListener> hints;
  if (messaging) {
    if (heads == nullptr) {
      return MakeError(Errc::kNotFound,
                       "the tree-head log " + LogDir(options.dir, kHeadsLog) + " is missing");
    }
    HeadsLog heads_log;
    if (role == NodeRole::kFront) {
      CANDOR_TRY(StoredLogSize(*heads_storage));  // the database answers
      heads_log.logged_heads = LoggedHeadsIn(heads_storage);
    } else {
      tlog::LogWriter* writer = &heads->writer();
      heads_log.writer = writer;
      heads_log.logged_heads = [writer] { return writer->Latest().checkpoint.size; };
    }
    CANDOR_ASSIGN_OR_RETURN(
        m, OpenMessaging(options.dir, config, *db, fence, heads_log, warm ? &*warm : nullptr,
                         metrics, pool, background, clock));
    if (role == NodeRole::kFront) {
      // Updates go to the sequencer; the directory follows what it publishes.
      CANDOR_ASSIGN_OR_RETURN(SecretBytes token, ReadTokenFile(options.dir + "/" + kClusterToken));
      forwarder = std::make_unique<SequencerForwarder>(*leases, clock, std::move(token));
      CANDOR_ASSIGN_OR_RETURN(forwarding, net::WorkerPool::Create(kForwardedUpdates));
      auto follow = FollowTask(m->directory.get(), heads_log.logged_heads);
      m->directory_service->ForwardUpdates(
          [f = forwarder.get()](const net::HttpRequest& r) { return f->Forward(r); }, follow,
          *forwarding, static_cast<size_t>(kForwardedUpdates));
      scheduler.Every("kt-follow", config.cluster.follow_interval, follow);
    } else {
      if (role == NodeRole::kSequencer) {
        CANDOR_ASSIGN_OR_RETURN(Hash32 token, LoadTokenHash(options.dir + "/" + kClusterToken));
        m->directory_service->AcceptForwardedUpdates(token);
      }
      m->directory_service->Schedule(scheduler);
      // A new directory publishes a first (empty) entry before it serves: a client needs a
      // tree head to prove that a handle is free.
      if (m->directory->size() == 0) m->directory_service->PublishNow(true);
    }
    router.SetAuthenticator(
        [auth = m->auth.get()](const net::HttpRequest& r) { return auth->Authenticate(r); });
    m->directory_service->Register(router);
    m->auth->Register(router);
    m->keypackages->Register(router);
    m->delivery->Register(router);
    scheduler.Every("auth-expiry", std::chrono::minutes(1),
                    [a = m->auth.get()] { a->RemoveExpired(); });
    scheduler.Every("keypackage-expiry", std::chrono::hours(1),
                    [k = m->keypackages.get()] { k->RemoveExpired(); });
    scheduler.Every("delivery-collect", std::chrono::minutes(10),
                    [d = m->delivery.get()] { d->Collect(); });
    if (m->presence) {
      // Cross-node wake-ups: hints on this node's channel, a sweep for the lost ones, and the
      // presence rows kept alive (those of a crashed node expire).
      hints = std::make_unique<HintListener>(config.database.substr(config.database.find(':') + 1),
                                             m->presence->channel(), *m->delivery);
      scheduler.Every("delivery-sweep", kDeliverySweep, [d = m->delivery.get()] { d->WakeAll(); });
      scheduler.Every("presence-refresh", kPresenceRefresh, [p = m->presence.get(), &clock] {
        const uint64_t now = clock();
        (void)p->Refresh(now);
        (void)p->Collect(now - 6 * static_cast<uint64_t>(kPresenceRefresh.count()));
      });
    }
    spdlog::info("directory at size {} ({} database, {} node)", m->directory->size(),
                 config.database.substr(0, config.database.find(':')), NodeRoleName(role));
  }

  // 6. /healthz and /metrics.
  std::atomic<const net::HttpServer*> server_ptr{nullptr};
  router.Add("GET", "/healthz", {0, false, false},
             [&logs, &server_ptr](const net::RouteRequest&) -> Result<net::HttpResponse> {
               std::string problems;
               auto note = [&problems](const Status& st) {
                 if (st.ok()) return;
                 if (!problems.empty()) problems += "; ";
                 problems += st.error().message;
               };
               if (const net::HttpServer* s = server_ptr.load()) note(s->Health());
               for (const auto& log : logs) note(log->Health());
               if (!problems.empty()) return MakeError(Errc::kUnavailable, problems);
               return net::MakeResponse(200, "text/plain; charset=utf-8", "ok\n");
             });
  metrics.AddSource([&logs, &server_ptr](std::string& out) {
    if (const net::HttpServer* s = server_ptr.load()) s->AppendMetrics(out);
    for (const auto& log : logs) log->AppendMetrics(out);
  });
  router.Add("GET", "/metrics", {0, false, false},
             [&metrics](const net::RouteRequest&) -> Result<net::HttpResponse> {
               return net::MakeResponse(200, "text/plain; version=0.0.4", metrics.Render());
             });

  // 7. Serve.
  net::HttpServerOptions http;
  http.host = hostport.first;
  http.port = hostport.second;
  http.num_threads = config.http_threads;
  http.max_connections = config.max_connections;
  http.max_connections_per_peer = config.max_connections_per_client;
  http.blocking = &pool;
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpServer> server,
                          net::HttpServer::Start(http, router));
  server_ptr.store(server.get());
  scheduler.Start();
  if (messaging) {
    CANDOR_TRY(WriteTrustFile(options.dir, http.host, server->port(), config, *heads));
  }
  if (!options.port_file.empty()) {
    CANDOR_TRY(WriteFileDurable(options.port_file, AsBytes(std::to_string(server->port()) + "\n")));
  }
  spdlog::info(
      "candord listening on http://{}:{}/ ({}{} witnesses, quorum {}; {} descriptors, at most {} "
      "connections)",
      http.host, server->port(), messaging ? "messaging, " : "", witnesses.size(), config.quorum,
      fd_limit, server->Stats().max_connections);
  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: draining", sig);

  // 8. Drain: WebSockets reconnect elsewhere; requests in flight are answered (the scheduler
  // keeps publishing meanwhile, so waiting updates complete); then stop in reverse order. A
  // sequencer that lost its lease drains too (its writes already fail), and says so.
  if (m) m->delivery->Drain();
  server->Stop();
  hints.reset();
  server_ptr.store(nullptr);
  if (m) m->directory_service->Drain();
  scheduler.Stop();
  pool.Wait();
  if (forwarding) forwarding->Wait();
  m.reset();
  logs.clear();  // queued appends become durable and are answered
  background.Wait();
  log_pool.Wait();
  return keeper.Finish();
}

}  // namespace candor::server
