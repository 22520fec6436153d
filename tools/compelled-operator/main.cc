// candor-compelled-operator: what an operator compelled to wiretap one account could do with
// everything the server holds (its database, the directory's signing and VRF keys, the
// tree-head log's key), used by the demo and the system tests to show that clients refuse it.
//
// With candord stopped, it publishes a new version of <handle>'s device list holding the
// account's devices plus a device the operator controls. The operator has no account key of
// <handle>, so it signs the list with one of its own. The directory entry, its signed tree head
// and the tree-head log entry are exactly what an honest publish makes; the witnesses will
// cosign the head, since it extends the log consistently. It does not attack the log itself.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/process.h"
#include "candor/base/tls.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/device_list.h"
#include "candor/kt/directory.h"
#include "candor/kt/tlog_head_sink.h"
#include "candor/net/worker_pool.h"
#include "candor/server/config.h"
#include "candor/store/sql.h"
#include "candor/store/sql_directory_store.h"
#include "candor/tlog/log_writer.h"
#include "candor/tlog/note.h"

namespace candor {
namespace {

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Status AddGhost(const std::string& dir, const std::string& handle, const std::string& ghost) {
  CANDOR_ASSIGN_OR_RETURN(Bytes config_json, ReadFile(dir + "/candord.json"));
  CANDOR_ASSIGN_OR_RETURN(server::ServerConfig config,
                          server::ParseServerConfig(AsStringView(config_json), dir));
  CANDOR_ASSIGN_OR_RETURN(auto db, store::OpenDatabase(config.database));
  CANDOR_ASSIGN_OR_RETURN(auto kt_store, store::SqlDirectoryStore::Open(*db));
  CANDOR_ASSIGN_OR_RETURN(Bytes kt_raw, ReadFile(dir + "/kt-config.bin"));
  CANDOR_ASSIGN_OR_RETURN(kt::Configuration kt_config, tls::DecodeExact<kt::Configuration>(kt_raw));
  CANDOR_ASSIGN_OR_RETURN(kt::CipherSuiteParams suite,
                          kt::GetCipherSuite(static_cast<uint16_t>(kt_config.ciphersuite)));
  CANDOR_ASSIGN_OR_RETURN(Bytes sig_raw, ReadFile(dir + "/keys/kt-signature.key"));
  CANDOR_ASSIGN_OR_RETURN(auto sig,
                          crypto::SignaturePrivateKey::FromBytes(suite.signature, sig_raw));
  SecureZero(sig_raw.data(), sig_raw.size());
  CANDOR_ASSIGN_OR_RETURN(Bytes vrf_raw, ReadFile(dir + "/keys/kt-vrf.key"));
  CANDOR_ASSIGN_OR_RETURN(auto vrf, crypto::VrfPrivateKey::FromBytes(suite.vrf, vrf_raw));
  SecureZero(vrf_raw.data(), vrf_raw.size());
  const std::string heads_dir = dir + "/logs/kt-heads";
  CANDOR_ASSIGN_OR_RETURN(tlog::ParsedSecretKey key,
                          tlog::LoadSecretKeyFile(heads_dir + "/log.key", tlog::kSigTypeEd25519));
  tlog::LogWriterOptions log_options;
  log_options.dir = heads_dir;
  log_options.origin = key.name;
  net::WorkerPool pool(1);
  CANDOR_ASSIGN_OR_RETURN(
      auto heads,
      tlog::LogWriter::Open(log_options,
                            std::make_unique<tlog::Ed25519NoteSigner>(key.name, std::move(key.key)),
                            pool));
  kt::DirectoryOptions directory_options;
  directory_options.logged_heads = [&heads] { return heads->Latest().checkpoint.size; };
  CANDOR_ASSIGN_OR_RETURN(
      auto directory,
      kt::Directory::Open(std::move(kt_config), std::move(sig), std::move(vrf), *kt_store, NowMs,
                          kt::TlogHeadSink(*heads), directory_options));

  const auto latest = directory->LatestValue(AsBytes(handle));
  if (!latest) return MakeError(Errc::kNotFound, "the directory has no account " + handle);
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList current, tls::DecodeExact<kt::DeviceList>(latest->second));
  const auto operator_key =
      crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  const auto ghost_key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  kt::DeviceListTBS forged = current.list;
  forged.account_key = operator_key.public_key();
  forged.sequence += 1;
  kt::Device device;
  device.device_id = Bytes(ghost.begin(), ghost.end());
  device.signature_scheme = crypto::SignatureScheme::kEd25519;
  device.signature_key = ghost_key.public_key();
  device.mls_cipher_suite =
      current.list.devices.empty() ? 1 : current.list.devices[0].mls_cipher_suite;
  device.mls_signature_key = ghost_key.public_key();
  device.added_at = NowMs();
  forged.devices.push_back(device);
  std::sort(forged.devices.begin(), forged.devices.end(),
            [](const kt::Device& a, const kt::Device& b) { return a.device_id < b.device_id; });
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list,
                          kt::SignDeviceList(operator_key, AsBytes(handle), std::move(forged)));

  kt::UpdateRequest req;
  req.label = Bytes(handle.begin(), handle.end());
  req.greatest_version = latest->first;
  req.values.push_back(kt::LabelValue{tls::Encode(list)});
  CANDOR_TRY(directory->SubmitUpdate(req));
  CANDOR_ASSIGN_OR_RETURN(uint64_t position, directory->Publish());
  nlohmann::json out = {{"handle", handle},
                        {"ghost_device", ghost},
                        {"version", latest->first + 1},
                        {"log_position", position},
                        {"devices", current.list.devices.size() + 1}};
  (void)std::printf("%s\n", out.dump().c_str());
  return OkStatus();
}

int Run(int argc, char** argv) {
  CLI::App app{
      "candor-compelled-operator: add a device the account did not make to its directory entry, "
      "with the server's own keys and storage (candord must be stopped); for demos and tests"};
  std::string dir, handle, ghost = "ghost";
  app.add_option("--dir", dir, "candord's data directory")->required();
  app.add_option("--handle", handle, "the account to wiretap")->required();
  app.add_option("--device", ghost, "the name of the operator's device")->default_val("ghost");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  auto st = AddGhost(dir, handle, ghost);
  if (!st.ok()) {
    (void)std::fprintf(stderr, "candor-compelled-operator: %s\n", st.error().ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace candor

int main(int argc, char** argv) { return candor::RunMain(argc, argv, candor::Run); }
