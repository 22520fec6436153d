// directory_fill: grows the key directory of a candord folder by stand-in labels, straight into
// its database (and its heads log: the database's on a cluster node, the files on a single
// one), so that benchmarks can start a server over a directory of a million people without
// making a million accounts. Each batch is one stored entry (labels "standin-<i>", random
// values and openings, real commitments; random VRF outputs except for the first --searchable
// labels, which get real ones and the VRF proofs candord makes at publish, unless
// --without-proofs: then candord proves on demand, as before it made them at publish) whose
// tree head is then signed and appended to the kt-heads log,
// as the sequencer would after a crash between the two. Run it while no server runs. Prints one
// JSON line.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/crypto/random.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/directory.h"
#include "candor/kt/stored_proofs.h"
#include "candor/kt/tlog_head_sink.h"
#include "candor/kt/update_value.h"
#include "candor/net/worker_pool.h"
#include "candor/store/sql.h"
#include "candor/store/sql_directory_store.h"
#include "candor/store/sql_log_storage.h"
#include "candor/tlog/log_writer.h"
#include "candor/tlog/note.h"

namespace {

using namespace candor;  // NOLINT(google-build-using-namespace): a driver's main file

constexpr size_t kValueBytes = 200;  // about a device list of two devices

Status Fail(const std::string& what, const Error& e) {
  return MakeError(e.code, what + ": " + e.message);
}

// StandIns is entry `position` with stand-in labels [first, first + count); those below `real`
// get the VRF output of `vrf` (so that a client can search them) and, if `proofs`, the proofs a
// publishing candord stores, made on `executor`; the others a random output.
kt::StoredEntry StandIns(uint64_t position, uint64_t timestamp, uint64_t first, uint64_t count,
                         uint64_t real, bool proofs, const crypto::VrfPrivateKey& vrf,
                         Executor& executor) {
  kt::StoredEntry e;
  e.position = position;
  e.timestamp = timestamp;
  e.versions.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    kt::StoredVersion& v = e.versions[i];
    const std::string label = "standin-" + std::to_string(first + i);
    v.label.assign(label.begin(), label.end());
    v.version = 0;
    crypto::FillRandom(v.opening.data(), v.opening.size());
    v.value.resize(kValueBytes);
    crypto::FillRandom(v.value.data(), v.value.size());
    if (first + i >= real) crypto::FillRandom(v.vrf_output.data(), v.vrf_output.size());
    v.commitment = kt::Commit(v.opening, v.label, v.version, kt::UpdateValue{v.value, {}},
                              kt::DeploymentMode::contactMonitoring);
  }
  const uint64_t proven = real > first ? std::min(count, real - first) : 0;
  ParallelFor(&executor, proven, 64, [&e, &vrf, proofs](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      kt::StoredVersion& v = e.versions[i];
      if (!proofs) {
        v.vrf_output = kt::VrfOutput(vrf, v.label, v.version);
        continue;
      }
      kt::MadeProofs made = kt::MakeStoredProofs(vrf, v.label, v.version, true);
      v.vrf_output = made.vrf_output;
      v.vrf_proofs = std::move(made.vrf_proofs);
    }
  });
  return e;
}

Status Fill(const std::string& dir, uint64_t labels, uint64_t per_entry, uint64_t real, bool proofs,
            nlohmann::json& out) {
  CANDOR_ASSIGN_OR_RETURN(Bytes raw_config, ReadFile(dir + "/candord.json"));
  const nlohmann::json config = nlohmann::json::parse(AsStringView(raw_config), nullptr, false);
  if (!config.is_object() || !config.contains("database") || !config["database"].is_string()) {
    return MakeError(Errc::kInvalidArgument, dir + "/candord.json names no database");
  }
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<store::SqlDatabase> db,
                          store::OpenDatabase(config["database"].get<std::string>()));
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<store::SqlDirectoryStore> kt_store,
                          store::SqlDirectoryStore::Open(*db));
  // The heads log: in the database on a cluster's nodes, in files on a single node.
  std::shared_ptr<tlog::LogStorage> heads_storage;
  const bool cluster = config.contains("cluster") && config["cluster"].is_object() &&
                       config["cluster"].value("role", "single") != "single";
  if (cluster) {
    CANDOR_ASSIGN_OR_RETURN(heads_storage, store::SqlLogStorage::Open(*db, "kt-heads", {}));
  }
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<net::WorkerPool> pool, net::WorkerPool::Create(2));
  CANDOR_ASSIGN_OR_RETURN(
      tlog::ParsedSecretKey log_key,
      tlog::LoadSecretKeyFile(dir + "/logs/kt-heads/log.key", tlog::kSigTypeEd25519));
  tlog::LogWriterOptions log_options;
  log_options.storage = std::move(heads_storage);
  log_options.dir = dir + "/logs/kt-heads";
  log_options.origin = log_key.name;
  CANDOR_ASSIGN_OR_RETURN(
      std::unique_ptr<tlog::LogWriter> heads,
      tlog::LogWriter::Open(
          log_options,
          std::make_unique<tlog::Ed25519NoteSigner>(log_key.name, std::move(log_key.key)), *pool));
  CANDOR_ASSIGN_OR_RETURN(Bytes raw_kt, ReadFile(dir + "/kt-config.bin"));
  CANDOR_ASSIGN_OR_RETURN(kt::Configuration kt_config, tls::DecodeExact<kt::Configuration>(raw_kt));
  CANDOR_ASSIGN_OR_RETURN(kt::CipherSuiteParams suite,
                          kt::GetCipherSuite(static_cast<uint16_t>(kt_config.ciphersuite)));

  const auto now_ms = [] {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  };
  CANDOR_ASSIGN_OR_RETURN(SecretBytes vrf_seed, ReadSecretFile(dir + "/keys/kt-vrf.key"));
  CANDOR_ASSIGN_OR_RETURN(crypto::VrfPrivateKey label_vrf,
                          crypto::VrfPrivateKey::FromBytes(suite.vrf, vrf_seed.view()));
  const auto start = std::chrono::steady_clock::now();
  uint64_t made = 0;
  uint64_t size = 0;
  while (made < labels) {
    CANDOR_ASSIGN_OR_RETURN(size, kt_store->EntryCount());
    const uint64_t count = std::min(per_entry, labels - made);
    CANDOR_TRY(kt_store->AppendEntry(
        StandIns(size, now_ms(), made, count, real, proofs, label_vrf, *pool)));
    made += count;
    // Opening the directory over the store signs and logs the head the new entry lacks.
    CANDOR_ASSIGN_OR_RETURN(SecretBytes sig_raw, ReadSecretFile(dir + "/keys/kt-signature.key"));
    CANDOR_ASSIGN_OR_RETURN(crypto::SignaturePrivateKey sig, crypto::SignaturePrivateKey::FromBytes(
                                                                 suite.signature, sig_raw.view()));
    CANDOR_ASSIGN_OR_RETURN(SecretBytes vrf_raw, ReadSecretFile(dir + "/keys/kt-vrf.key"));
    CANDOR_ASSIGN_OR_RETURN(crypto::VrfPrivateKey vrf,
                            crypto::VrfPrivateKey::FromBytes(suite.vrf, vrf_raw.view()));
    kt::DirectoryOptions options;
    options.executor = pool.get();
    options.logged_heads = [&heads] { return heads->Latest().checkpoint.size; };
    auto directory = kt::Directory::Open(kt_config, std::move(sig), std::move(vrf), *kt_store,
                                         now_ms, kt::TlogHeadSink(*heads), options);
    if (!directory.ok()) return Fail("reopening the directory", directory.error());
    size = (*directory)->size();
    std::fprintf(stderr, "directory_fill: %llu labels, %llu entries\n",
                 static_cast<unsigned long long>(made), static_cast<unsigned long long>(size));
  }
  out = {
      {"labels_added", made},
      {"searchable", std::min(real, made)},
      {"proofs_stored", proofs},
      {"entries", size},
      {"logged_heads", heads->Latest().checkpoint.size},
      {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}};
  return OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"directory_fill: stand-in labels into a candord folder's directory"};
  std::string dir;
  uint64_t labels = 100'000;
  uint64_t per_entry = 100'000;
  app.add_option("--dir", dir, "the candord folder (its candord.json, keys and logs)")->required();
  app.add_option("--labels", labels, "stand-in labels to add");
  uint64_t real = 0;
  app.add_option("--searchable", real,
                 "the first N labels get their real VRF output, so that clients can search them");
  app.add_option("--per-entry", per_entry, "labels per stored entry")
      ->check(CLI::Range(1, 1'000'000));
  bool without_proofs = false;
  app.add_flag("--without-proofs", without_proofs,
               "store no VRF proofs with the searchable labels (candord then proves on demand)");
  CLI11_PARSE(app, argc, argv);
  nlohmann::json out;
  if (Status st = Fill(dir, labels, per_entry, real, !without_proofs, out); !st.ok()) {
    std::fprintf(stderr, "directory_fill: %s\n", st.error().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
