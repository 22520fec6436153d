// release_commands.cc: `candor release ...`, binary transparency (docs/formats/release.md):
// keygen (the release key), publish (hash, sign, log, wait for the witnesses, write the proof),
// verify (a file against its proof, offline, or also against the log's newest checkpoint) and
// monitor (release_monitor.h), manifest (sign without logging), rebuild-check
// (release_rebuild.h); and `candor update` (release_update.h).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/client/log_client.h"
#include "candor/release/release_proof.h"
#include "commands.h"
#include "release_monitor.h"
#include "release_policy.h"
#include "release_rebuild.h"
#include "release_update.h"

namespace {

using candor::Error;
using candor::Result;
using candor::Status;
using candor::cli::Fail;
using candor::cli::NotVerified;
using nlohmann::json;

class ReleaseCommands final : public candor::cli::CommandGroup {
 public:
  void Add(CLI::App& app) override {
    auto* release = app.add_subcommand("release", "binary transparency: publish and verify builds");
    keygen_ = release->add_subcommand("keygen", "make a release key; prints its vkey");
    keygen_->add_option("--name", key_name_, "the key's name, e.g. release.candor.example")
        ->required();
    keygen_->add_option("--key-file", key_file_, "where to write the private key (0600)")
        ->required();

    publish_ = release->add_subcommand(
        "publish",
        "hash the artifacts, sign the manifest, log it, wait for the witnesses, write "
        "the proof");
    publish_->add_option("--policy", policy_file_, "the release policy (JSON)")->required();
    publish_->add_option("--token-file", token_file_, "the release log's append token")->required();
    publish_->add_option("--proof-out", proof_file_, "where to write the release proof")
        ->required();
    publish_->add_option("--mirror-out", mirror_dir_,
                         "also lay the artifacts and the proof out for a mirror in this folder "
                         "(<product>/<version>/<platform>/)");
    publish_->add_option("--wait", wait_seconds_, "seconds to wait for a cosigned checkpoint")
        ->default_val(60);

    manifest_cmd_ = release->add_subcommand(
        "manifest", "hash the artifacts and sign the manifest, without logging it");
    manifest_cmd_->add_option("--out", proof_file_, "where to write the signed manifest")
        ->required();
    for (CLI::App* cmd : {publish_, manifest_cmd_}) {
      cmd->add_option("--key-file", key_file_, "the release key")->required();
      cmd->add_option("--product", manifest_.product, "product name")->required();
      cmd->add_option("--version", manifest_.version, "version")->required();
      cmd->add_option("--platform", manifest_.platform, "platform, e.g. debian12-amd64")
          ->required();
      cmd->add_option("--commit", manifest_.commit, "the source commit (hex)")->required();
      cmd->add_option("--recipe", manifest_.recipe, "the build recipe's identity")->required();
      cmd->add_option("artifacts", artifact_files_, "the files of this release")->required();
    }

    rebuild_ = release->add_subcommand(
        "rebuild-check",
        "rebuild a release's commit with its recipe and compare with the logged hashes");
    rebuild_
        ->add_option("manifest", manifest_file_,
                     "a release proof, or a signed manifest (then it is not checked to be "
                     "logged)")
        ->required();
    rebuild_->add_option("--policy", policy_file_, "the release policy (JSON)");
    rebuild_->add_option("--release-key", release_vkey_,
                         "the release key's vkey (instead of --policy, for a signed manifest)");
    rebuild_
        ->add_option("--source", rebuild_options_.source,
                     "a git repository (path or URL) holding the commit")
        ->required();
    rebuild_->add_option("--work-dir", rebuild_options_.work_dir,
                         "where to clone and build (default: a temporary folder)");
    rebuild_->add_flag("--keep", rebuild_options_.keep, "keep the work folder");

    verify_ = release->add_subcommand(
        "verify", "check a file against its release proof (offline; --online also asks the log)");
    verify_->add_option("artifact", artifact_file_, "the file to check")->required();
    verify_->add_option("--proof", proof_file_, "its release proof (c2sp.org/tlog-proof@v1)")
        ->required();
    verify_->add_option("--policy", policy_file_, "the release policy (JSON)")->required();
    verify_->add_option("--platform", platform_, "refuse a release for another platform");
    verify_->add_option("--state", state_file_,
                        "the newest release-log checkpoint this machine saw (implies --online)");
    verify_->add_flag("--online", online_,
                      "also prove the entry in the log's newest checkpoint, consistent with "
                      "--state");
    monitor_ = release->add_subcommand(
        "monitor", "follow the release log: list every release, alarm on what should not be");
    monitor_->add_option("--policy", policy_file_, "the release policy (JSON)")->required();
    monitor_->add_option("--state", state_file_, "this monitor's durable state (JSON)")->required();
    monitor_->add_option("--platform", platforms_,
                         "an announced platform (repeatable); a release for another is an alarm");
    update_ = app.add_subcommand(
        "update",
        "install the newest release the release log holds for this platform, from any mirror");
    update_->add_option("--policy", policy_file_, "the release policy (JSON)")->required();
    update_->add_option("--state", update_options_.state_file, "the updater's durable state (JSON)")
        ->required();
    update_->add_option("--product", update_options_.target.product, "product name")
        ->default_val("candor");
    update_->add_option("--platform", update_options_.target.platform, "this machine's platform")
        ->required();
    update_
        ->add_option("--artifact", update_options_.target.artifact,
                     "the artifact to install (its file name in the manifest)")
        ->required();
    update_->add_option("--install", update_options_.install_path, "where to install it");
    update_->add_option("--mirror", update_options_.mirrors,
                        "a mirror's base URL (repeatable; tried in order)");
    update_->add_flag("--check", update_options_.check_only,
                      "only say whether a newer release is logged");
    for (CLI::App* cmd : {keygen_, publish_, manifest_cmd_, rebuild_, verify_, monitor_, update_}) {
      cmd->add_flag("--json", as_json_, "print JSON");
    }
  }

  std::optional<int> RunIfChosen() override {
    if (*keygen_) return Keygen();
    if (*publish_) return Publish();
    if (*manifest_cmd_) return WriteManifest();
    if (*rebuild_) return Rebuild();
    if (*verify_) return Verify();
    if (*monitor_) {
      auto trust = candor::cli::LoadReleaseTrust(policy_file_);
      if (!trust.ok()) return Fail(trust.error().ToString());
      return candor::cli::MonitorReleases(*trust, {state_file_, platforms_, as_json_});
    }
    if (*update_) {
      if (update_options_.install_path.empty() && !update_options_.check_only) {
        return Fail("--install is required unless --check");
      }
      auto trust = candor::cli::LoadReleaseTrust(policy_file_);
      if (!trust.ok()) return Fail(trust.error().ToString());
      update_options_.as_json = as_json_;
      return candor::cli::UpdateRelease(*trust, update_options_);
    }
    return std::nullopt;
  }

 private:
  int Keygen() {
    if (!candor::tlog::IsValidKeyName(key_name_)) return Fail("--name must have no spaces or '+'");
    if (candor::FileExists(key_file_)) return Fail(key_file_ + " exists; not overwriting a key");
    candor::tlog::Ed25519NoteSigner signer(key_name_,
                                           candor::crypto::Ed25519PrivateKey::Generate());
    const candor::SecretBytes secret = signer.SecretKey();
    if (Status st = candor::WriteFileDurable(key_file_, secret.view(), 0600); !st.ok()) {
      return Fail(st.error().ToString());
    }
    (void)std::printf("%s\n", as_json_ ? json({{"vkey", signer.VerifierKey()}}).dump().c_str()
                                       : signer.VerifierKey().c_str());
    return 0;
  }

  // SignedManifest hashes the artifacts (by file name, sorted) into manifest_ and signs it with
  // the key in --key-file.
  Result<std::string> SignedManifest() {
    CANDOR_ASSIGN_OR_RETURN(
        auto key, candor::tlog::LoadSecretKeyFile(key_file_, candor::tlog::kSigTypeEd25519));
    candor::tlog::Ed25519NoteSigner signer(key.name, std::move(key.key));
    for (const std::string& f : artifact_files_) {
      auto digest = candor::release::HashFile(f);
      if (!digest.ok()) {
        return candor::MakeError(digest.error().code, f + ": " + digest.error().message);
      }
      manifest_.artifacts.push_back({std::filesystem::path(f).filename().string(), *digest});
    }
    std::sort(manifest_.artifacts.begin(), manifest_.artifacts.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return candor::release::SignManifest(manifest_, signer);
  }

  int WriteManifest() {
    auto entry = SignedManifest();
    if (!entry.ok()) return Fail(entry.error().ToString());
    if (Status st = candor::WriteFileDurable(proof_file_, candor::AsBytes(*entry)); !st.ok()) {
      return Fail(st.error().ToString());
    }
    (void)std::printf("%s\n", as_json_ ? json({{"manifest", proof_file_}}).dump().c_str()
                                       : ("signed manifest in " + proof_file_).c_str());
    return 0;
  }

  int Rebuild() {
    auto text = candor::ReadFile(manifest_file_, 1 << 20);
    if (!text.ok()) return Fail(text.error().ToString());
    const std::string_view body = candor::AsStringView(*text);
    Result<candor::release::ReleaseManifest> manifest =
        candor::MakeError(candor::Errc::kInvalidArgument, "give --policy or --release-key");
    if (body.starts_with(std::string(candor::release::kTlogProofHeader) + "\n")) {
      // A release proof: the manifest must also be in the log.
      auto trust = candor::cli::LoadReleaseTrust(policy_file_);
      if (!trust.ok()) return Fail(trust.error().ToString());
      auto release = candor::release::VerifyReleaseProof(body, trust->policy);
      if (!release.ok()) return NotVerified(release.error().message);
      manifest = std::move(release->manifest);
    } else if (!release_vkey_.empty() || !policy_file_.empty()) {
      std::shared_ptr<const candor::tlog::NoteVerifier> key;
      if (!release_vkey_.empty()) {
        auto parsed = candor::tlog::ParseVerifierKey(release_vkey_);
        if (!parsed.ok()) return Fail("--release-key: " + parsed.error().ToString());
        key = std::move(*parsed);
      } else {
        auto trust = candor::cli::LoadReleaseTrust(policy_file_);
        if (!trust.ok()) return Fail(trust.error().ToString());
        key = trust->policy.release_key;
      }
      manifest = candor::release::OpenManifest(body, *key);
      if (!manifest.ok()) return NotVerified(manifest.error().message);
    }
    if (!manifest.ok()) return Fail(manifest.error().ToString());
    rebuild_options_.as_json = as_json_;
    return candor::cli::RebuildCheck(*manifest, rebuild_options_);
  }

  int Publish() {
    auto trust = candor::cli::LoadReleaseTrust(policy_file_);
    if (!trust.ok()) return Fail(trust.error().ToString());
    // 1. The manifest: every artifact by file name, sorted.
    auto entry = SignedManifest();
    if (!entry.ok()) return Fail(entry.error().ToString());
    // 2. Append it (the answer comes once the entry is durable).
    auto token = candor::ReadTokenFile(token_file_);
    if (!token.ok()) return Fail(token.error().ToString());
    candor::client::LogClient client(trust->log_url, trust->policy.log);
    const candor::Bytes bytes(entry->begin(), entry->end());
    auto index = client.AppendBundle(std::span<const candor::Bytes>(&bytes, 1), *token);
    if (!index.ok()) return Fail("append: " + index.error().ToString());
    // 3. Wait for a checkpoint that covers it, signed by the log and cosigned by the quorum.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds_);
    Result<candor::tlog::VerifiedCheckpoint> cp = candor::MakeError(candor::Errc::kUnavailable, "");
    for (;;) {
      cp = client.FetchCheckpoint();
      if (cp.ok() && cp->checkpoint.size > *index) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return Fail("no checkpoint cosigned by the witness quorum covers the entry yet" +
                    (cp.ok() ? std::string() : " (" + cp.error().ToString() + ")"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    // 4. The inclusion proof, verified, and the proof file, verified as a user would.
    auto included = client.ProveEntry(*index, *cp);
    if (!included.ok()) return Fail("inclusion: " + included.error().ToString());
    if (candor::AsStringView(included->entry) != *entry) {
      return NotVerified("the log holds another entry at index " + std::to_string(*index));
    }
    const std::string proof =
        candor::release::MakeReleaseProof(*entry, *index, included->proof, cp->note);
    auto check = candor::release::VerifyReleaseProof(proof, trust->policy);
    if (!check.ok()) return NotVerified(check.error().message);
    if (Status st = candor::WriteFileDurable(proof_file_, candor::AsBytes(proof)); !st.ok()) {
      return Fail(st.error().ToString());
    }
    if (!mirror_dir_.empty()) {
      if (Status st = LayOutMirror(proof); !st.ok()) return Fail(st.error().ToString());
    }
    if (as_json_) {
      (void)std::printf("%s\n", json({{"index", *index},
                                      {"checkpoint_size", cp->checkpoint.size},
                                      {"cosigners", cp->cosigners},
                                      {"proof", proof_file_}})
                                    .dump()
                                    .c_str());
    } else {
      (void)std::printf(
          "published %s %s for %s (%zu artifacts) at index %llu of %s; cosigned by %zu "
          "witnesses; proof in %s\n",
          manifest_.product.c_str(), manifest_.version.c_str(), manifest_.platform.c_str(),
          manifest_.artifacts.size(), static_cast<unsigned long long>(*index),
          cp->checkpoint.origin.c_str(), cp->cosigners.size(), proof_file_.c_str());
    }
    return 0;
  }

  // LayOutMirror copies the artifacts into <mirror>/<product>/<version>/<platform>/, with the
  // proof as release.tlog-proof (docs/formats/release.md §5).
  Status LayOutMirror(const std::string& proof) const {
    const std::string dir = mirror_dir_ + "/" + manifest_.product + "/" + manifest_.version + "/" +
                            manifest_.platform + "/";
    for (const std::string& f : artifact_files_) {
      CANDOR_ASSIGN_OR_RETURN(candor::Bytes bytes, candor::ReadFile(f, size_t{1} << 31));
      CANDOR_TRY(candor::WriteFileDurable(
          dir + std::filesystem::path(f).filename().string(), bytes,
          static_cast<unsigned>(std::filesystem::status(f).permissions()) & 0777u));
    }
    return candor::WriteFileDurable(dir + "release.tlog-proof", candor::AsBytes(proof));
  }

  int Verify() {
    auto trust = candor::cli::LoadReleaseTrust(policy_file_);
    if (!trust.ok()) return Fail(trust.error().ToString());
    auto text = candor::ReadFile(proof_file_, 1 << 20);
    if (!text.ok()) return Fail(text.error().ToString());
    auto release = candor::release::VerifyReleaseProof(candor::AsStringView(*text), trust->policy);
    if (!release.ok()) {
      if (release.error().code == candor::Errc::kMalformed) {
        return NotVerified("the proof file is malformed: " + release.error().message);
      }
      return NotVerified(release.error().message);
    }
    const candor::release::ReleaseManifest& m = release->manifest;
    auto digest = candor::release::HashFile(artifact_file_);
    if (!digest.ok()) return Fail(artifact_file_ + ": " + digest.error().ToString());
    const std::string name = std::filesystem::path(artifact_file_).filename().string();
    if (Status st = candor::release::CheckArtifact(m, name, *digest); !st.ok()) {
      return NotVerified(st.error().message);
    }
    if (!platform_.empty() && m.platform != platform_) {
      return NotVerified("the release is for " + m.platform + ", not " + platform_);
    }
    uint64_t newest = release->checkpoint.checkpoint.size;
    if (online_ || !state_file_.empty()) {
      auto seen = CheckInNewest(*trust, *release);
      if (!seen.ok()) {
        if (seen.error().code == candor::Errc::kVerifyFailed) {
          return NotVerified(seen.error().message);
        }
        return Fail(seen.error().ToString());
      }
      newest = *seen;
    }
    if (as_json_) {
      (void)std::printf("%s\n", json({{"product", m.product},
                                      {"version", m.version},
                                      {"platform", m.platform},
                                      {"commit", m.commit},
                                      {"index", release->index},
                                      {"checkpoint_size", newest},
                                      {"cosigners", release->checkpoint.cosigners}})
                                    .dump()
                                    .c_str());
    } else {
      (void)std::printf(
          "verified: %s is %s %s for %s (commit %s), entry %llu of the release log, cosigned by "
          "%zu witnesses%s\n",
          name.c_str(), m.product.c_str(), m.version.c_str(), m.platform.c_str(), m.commit.c_str(),
          static_cast<unsigned long long>(release->index), release->checkpoint.cosigners.size(),
          online_ || !state_file_.empty() ? " and in the log's newest checkpoint" : "");
    }
    return 0;
  }

  // CheckInNewest fetches the log's newest checkpoint (consistent with --state, which it then
  // records) and proves the release entry in it; returns its size.
  Result<uint64_t> CheckInNewest(const candor::cli::ReleaseTrust& trust,
                                 const candor::release::VerifiedRelease& release) {
    std::optional<candor::tlog::VerifiedCheckpoint> previous;
    if (!state_file_.empty() && candor::FileExists(state_file_)) {
      CANDOR_ASSIGN_OR_RETURN(candor::Bytes note, candor::ReadFile(state_file_));
      CANDOR_ASSIGN_OR_RETURN(previous, candor::tlog::VerifyCosignedCheckpoint(
                                            candor::AsStringView(note), trust.policy.log));
    }
    candor::client::LogClient client(trust.log_url, trust.policy.log);
    auto newest = client.FetchCheckpoint(previous);
    if (!newest.ok()) {
      if (newest.error().code != candor::Errc::kVerifyFailed) return newest.error();
      return candor::MakeError(candor::Errc::kVerifyFailed,
                               "the release log's newest checkpoint does not verify or is not "
                               "consistent with the one this machine saw before");
    }
    CANDOR_TRY(candor::cli::CheckFresh(trust, *newest, candor::cli::NowSeconds()));
    if (newest->checkpoint.size < release.checkpoint.checkpoint.size) {
      return candor::MakeError(candor::Errc::kVerifyFailed,
                               "the release log now shows fewer entries than the proof's "
                               "checkpoint: it was rolled back or forked");
    }
    auto included = client.ProveEntry(release.index, *newest);
    if (!included.ok() || candor::AsStringView(included->entry) != release.signed_manifest) {
      return candor::MakeError(candor::Errc::kVerifyFailed,
                               "the release log's newest checkpoint does not hold this release "
                               "at index " +
                                   std::to_string(release.index) + ": the log forked");
    }
    if (!state_file_.empty()) {
      CANDOR_TRY(candor::WriteFileDurable(state_file_, candor::AsBytes(newest->note)));
    }
    return newest->checkpoint.size;
  }

  bool as_json_ = false;
  bool online_ = false;
  int wait_seconds_ = 60;
  std::string key_name_, key_file_, policy_file_, token_file_, proof_file_, artifact_file_;
  std::string platform_, state_file_, mirror_dir_, manifest_file_, release_vkey_;
  candor::cli::RebuildOptions rebuild_options_;
  candor::cli::UpdateOptions update_options_;
  std::vector<std::string> artifact_files_, platforms_;
  candor::release::ReleaseManifest manifest_;
  CLI::App* keygen_ = nullptr;
  CLI::App* publish_ = nullptr;
  CLI::App* verify_ = nullptr;
  CLI::App* monitor_ = nullptr;
  CLI::App* update_ = nullptr;
  CLI::App* manifest_cmd_ = nullptr;
  CLI::App* rebuild_ = nullptr;
};

}  // namespace

namespace candor::cli {

std::unique_ptr<CommandGroup> MakeReleaseCommands() { return std::make_unique<ReleaseCommands>(); }

}  // namespace candor::cli
