// log_commands.cc: `candor log ...`, the transparency-log commands (append, checkpoint,
// verify-checkpoint, inclusion).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/process.h"
#include "candor/client/log_client.h"
#include "commands.h"

namespace {

using candor::Result;
using candor::Status;
using nlohmann::json;

struct TrustFlags {
  std::string log_key;
  std::vector<std::string> witness_keys;
  size_t quorum = 0;
  std::string state_file;  // last verified checkpoint, for consistency across runs

  void Add(CLI::App* cmd) {
    cmd->add_option("--log-key", log_key, "the log's vkey")->required();
    cmd->add_option("--witness-key", witness_keys, "a trusted witness vkey (repeatable)");
    cmd->add_option("--quorum", quorum, "witness cosignatures required");
    cmd->add_option("--state", state_file,
                    "file keeping the last verified checkpoint; a new one must be consistent");
  }
};

using candor::cli::Fail;

json CheckpointJson(const candor::tlog::VerifiedCheckpoint& cp) {
  return {{"origin", cp.checkpoint.origin},
          {"size", cp.checkpoint.size},
          {"root", candor::Base64Encode(cp.checkpoint.root)},
          {"cosigners", cp.cosigners}};
}

// FetchVerified fetches the checkpoint, checks it against the trust flags and the state file,
// and records it in the state file.
Result<candor::tlog::VerifiedCheckpoint> FetchVerified(candor::client::LogClient& client,
                                                       const TrustFlags& flags,
                                                       const candor::tlog::LogTrust& trust) {
  std::optional<candor::tlog::VerifiedCheckpoint> previous;
  if (!flags.state_file.empty() && candor::FileExists(flags.state_file)) {
    CANDOR_ASSIGN_OR_RETURN(candor::Bytes note, candor::ReadFile(flags.state_file));
    CANDOR_ASSIGN_OR_RETURN(
        previous, candor::tlog::VerifyCosignedCheckpoint(candor::AsStringView(note), trust));
  }
  auto cp = client.FetchCheckpoint(previous);
  if (!cp.ok() && previous.has_value() && cp.error().code == candor::Errc::kVerifyFailed) {
    return candor::MakeError(candor::Errc::kVerifyFailed,
                             "the log's checkpoint does not verify or is not consistent with the "
                             "one seen before (size " +
                                 std::to_string(previous->checkpoint.size) + ")");
  }
  CANDOR_TRY(cp);
  if (!flags.state_file.empty()) {
    CANDOR_TRY(candor::WriteFileDurable(flags.state_file, candor::AsBytes(cp->note)));
  }
  return cp;
}

}  // namespace

namespace {

class LogCommands final : public candor::cli::CommandGroup {
 public:
  void Add(CLI::App& app) override {
    auto* log_cmd = app.add_subcommand("log", "transparency log commands");
    log_cmd->require_subcommand(1);

    append_ = log_cmd->add_subcommand("append", "append entries (authenticated)");
    append_->add_option("--url", url_, "log prefix, e.g. http://127.0.0.1:8080/logs/main/")
        ->required();
    append_->add_option("--token-file", token_file_, "file holding the append token")->required();
    append_->add_option("--data", data_, "an entry given as text (repeatable)");
    append_->add_option("--file", files_, "an entry read from a file (repeatable)");

    checkpoint_ = log_cmd->add_subcommand("checkpoint", "fetch and verify the checkpoint");
    checkpoint_->add_option("--url", url_, "log prefix")->required();
    trust_flags_.Add(checkpoint_);

    verify_ = log_cmd->add_subcommand("verify-checkpoint", "verify a checkpoint file offline");
    verify_->add_option("--file", checkpoint_file_, "checkpoint note")->required();
    trust_flags_.Add(verify_);

    inclusion_ = log_cmd->add_subcommand("inclusion", "verify an entry's inclusion from tiles");
    inclusion_->add_option("--url", url_, "log prefix")->required();
    inclusion_->add_option("--index", index_, "entry index")->required();
    inclusion_->add_option("--expect", expect_, "fail unless the entry equals this text");
    trust_flags_.Add(inclusion_);

    for (CLI::App* cmd : {append_, checkpoint_, verify_, inclusion_}) {
      cmd->add_flag("--json", as_json_, "print JSON");
    }
  }

  std::optional<int> RunIfChosen() override {
    if (!*append_ && !*checkpoint_ && !*verify_ && !*inclusion_) return std::nullopt;
    return Run();
  }

 private:
  int Run() {
    if (*append_) {
      auto base = candor::net::ParseUrl(url_);
      if (!base.ok()) return Fail(base.error().ToString());
      auto token = candor::ReadTokenFile(token_file_);
      if (!token.ok()) return Fail(token.error().ToString());
      std::vector<candor::Bytes> entries;
      entries.reserve(data_.size() + files_.size());
      for (const std::string& d : data_) entries.emplace_back(d.begin(), d.end());
      for (const std::string& f : files_) {
        auto bytes = candor::ReadFile(f);
        if (!bytes.ok()) return Fail(bytes.error().ToString());
        entries.push_back(std::move(*bytes));
      }
      if (entries.empty()) return Fail("nothing to append: give --data or --file");
      // Appending needs no trust policy: the log's answer is an index, checked by later reads.
      candor::client::LogClient client(*base, {});
      auto first = client.AppendBundle(entries, *token);
      if (!first.ok()) return Fail("append failed: " + first.error().ToString());
      if (as_json_) {
        (void)std::printf(
            "%s\n", json({{"first_index", *first}, {"count", entries.size()}}).dump().c_str());
      } else {
        (void)std::printf("appended %zu entries at indices %llu..%llu (durable)\n", entries.size(),
                          static_cast<unsigned long long>(*first),
                          static_cast<unsigned long long>(*first + entries.size() - 1));
      }
      return 0;
    }

    auto trust = candor::tlog::ParseLogTrust(trust_flags_.log_key, trust_flags_.witness_keys,
                                             trust_flags_.quorum);
    if (!trust.ok()) return Fail(trust.error().ToString());

    if (*verify_) {
      auto note = candor::ReadFile(checkpoint_file_);
      if (!note.ok()) return Fail(note.error().ToString());
      auto cp = candor::tlog::VerifyCosignedCheckpoint(candor::AsStringView(*note), *trust);
      if (!cp.ok()) return Fail("checkpoint rejected: " + cp.error().ToString());
      if (as_json_) {
        (void)std::printf("%s\n", CheckpointJson(*cp).dump().c_str());
      } else {
        (void)std::printf(
            "checkpoint OK: %s size %llu, cosigned by %zu of %zu witnesses (quorum %zu)\n",
            cp->checkpoint.origin.c_str(), static_cast<unsigned long long>(cp->checkpoint.size),
            cp->cosigners.size(), trust->witnesses.size(), trust->quorum);
      }
      return 0;
    }

    auto base = candor::net::ParseUrl(url_);
    if (!base.ok()) return Fail(base.error().ToString());
    candor::client::LogClient client(*base, *trust);
    auto cp = FetchVerified(client, trust_flags_, *trust);
    if (!cp.ok() && cp.error().code == candor::Errc::kVerifyFailed) {
      return Fail("checkpoint rejected: " + cp.error().message +
                  " (it needs the log's signature and cosignatures from " +
                  std::to_string(trust->quorum) + " of the " +
                  std::to_string(trust->witnesses.size()) +
                  " trusted witnesses, and consistency with any --state checkpoint)");
    }
    if (!cp.ok()) return Fail("checkpoint rejected: " + cp.error().ToString());

    if (*checkpoint_) {
      if (as_json_) {
        (void)std::printf("%s\n", CheckpointJson(*cp).dump().c_str());
      } else {
        (void)std::printf(
            "checkpoint OK: %s size %llu root %s\n  cosigned by:", cp->checkpoint.origin.c_str(),
            static_cast<unsigned long long>(cp->checkpoint.size),
            candor::Base64Encode(cp->checkpoint.root).c_str());
        for (const std::string& w : cp->cosigners) (void)std::printf(" %s", w.c_str());
        (void)std::printf(" (%zu, quorum %zu)\n", cp->cosigners.size(), trust->quorum);
      }
      return 0;
    }

    auto proof = client.ProveEntry(index_, *cp);
    if (!proof.ok()) return Fail("inclusion not verified: " + proof.error().ToString());
    if (expect_.has_value() && candor::AsStringView(proof->entry) != *expect_) {
      return Fail("entry " + std::to_string(index_) + " differs from --expect");
    }
    if (as_json_) {
      json p = json::array();
      for (const auto& h : proof->proof) p.push_back(candor::Base64Encode(h));
      json j = {{"index", index_},
                {"entry_base64", candor::Base64Encode(proof->entry)},
                {"leaf_hash", candor::Base64Encode(proof->leaf_hash)},
                {"proof", p},
                {"checkpoint", CheckpointJson(*cp)}};
      (void)std::printf("%s\n", j.dump().c_str());
    } else {
      (void)std::printf(
          "inclusion OK: entry %llu (%zu bytes) is in %s at size %llu; proof of %zu hashes "
          "verified against the cosigned root\n",
          static_cast<unsigned long long>(index_), proof->entry.size(),
          cp->checkpoint.origin.c_str(), static_cast<unsigned long long>(cp->checkpoint.size),
          proof->proof.size());
    }
    return 0;
  }

  bool as_json_ = false;
  std::string url_, token_file_;
  std::vector<std::string> data_, files_;
  TrustFlags trust_flags_;
  std::string checkpoint_file_;
  uint64_t index_ = 0;
  std::optional<std::string> expect_;
  CLI::App* append_ = nullptr;
  CLI::App* checkpoint_ = nullptr;
  CLI::App* verify_ = nullptr;
  CLI::App* inclusion_ = nullptr;
};

}  // namespace

namespace candor::cli {

std::unique_ptr<CommandGroup> MakeLogCommands() { return std::make_unique<LogCommands>(); }

}  // namespace candor::cli
