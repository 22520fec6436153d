// What this device sent and the Delivery Service has not confirmed yet. Both survive a crash of
// either side, and neither is ever sent twice in a way that matters:
//  - outbox: encrypted application messages, in the order they were made. Each is posted
//    until the DS answers; the DS queues a message it has seen before only once.
//  - pending_commits: a staged commit with the epoch it leads to (sealed). If its answer is
//    lost, the group's newest GroupInfo at the DS tells whether it won: the DS keeps the
//    GroupInfo of the winning commit, and ours is byte-for-byte what we sent.
#include <chrono>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/base/tls.h"
#include "engine_internal.h"

namespace candor::client {
namespace {

std::string PendingAad(ByteView id) { return "pending:" + HexEncode(id); }

// Definitive says whether the DS decided (a 4xx it means) rather than failed to answer.
bool Definitive(const Error& e) {
  return e.message.rfind("server:", 0) == 0 && e.code != Errc::kUnavailable &&
         e.code != Errc::kInternal && e.code != Errc::kRateLimited &&
         e.code != Errc::kUnauthenticated;
}

}  // namespace

std::string GroupPath(ByteView group_id) {
  std::string id = Base64Encode(group_id);
  while (!id.empty() && id.back() == '=') id.pop_back();
  for (char& c : id) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return "v1/groups/" + id;
}

Status Engine::State::QueueOutgoing(store::SqlTx& tx, ByteView group_id, ByteView message) {
  CANDOR_TRY(tx.Exec("INSERT INTO outbox (group_id, message, created_at) VALUES ($1, $2, $3)",
                     {Bytes(group_id.begin(), group_id.end()),
                      Bytes(message.begin(), message.end()), static_cast<int64_t>(clock())}));
  return OkStatus();
}

Result<size_t> Engine::State::FlushOutbox(std::vector<Notice>* notices) {
  size_t left = 0;
  for (;;) {
    std::optional<std::pair<int64_t, Bytes>> next;
    CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
      CANDOR_ASSIGN_OR_RETURN(auto rows,
                              tx.Query("SELECT id, message FROM outbox ORDER BY id LIMIT 1", {}));
      if (rows.empty()) return OkStatus();
      CANDOR_ASSIGN_OR_RETURN(int64_t id, rows[0].Int(0, "id"));
      CANDOR_ASSIGN_OR_RETURN(Bytes message, rows[0].Blob(1, "message"));
      next.emplace(id, std::move(message));
      return OkStatus();
    }));
    if (!next) return left;
    Json req = {{"message", Base64Encode(next->second)}};
    auto sent = api->Call("POST", "v1/groups/message", &req, true);
    if (!sent.ok() && sent.error().code == Errc::kUnauthenticated) {
      CANDOR_TRY(SignIn());
      sent = api->Call("POST", "v1/groups/message", &req, true);
    }
    if (!sent.ok() && !Definitive(sent.error())) {
      CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
        CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COUNT(*) FROM outbox", {}));
        CANDOR_ASSIGN_OR_RETURN(int64_t n, rows.at(0).Int(0, "count"));
        left = static_cast<size_t>(n);
        return OkStatus();
      }));
      if (notices != nullptr) {
        notices->push_back({Notice::Kind::kWarning,
                            std::to_string(left) +
                                " message(s) queued on this device: the server did not confirm "
                                "them (" +
                                sent.error().message + "); they go out with the next command"});
      }
      return left;
    }
    if (!sent.ok() && notices != nullptr) {
      notices->push_back(
          {Notice::Kind::kWarning,
           "a message was refused by the server and not delivered: " + sent.error().message});
    }
    CANDOR_TRY(profile->Write([&](store::SqlTx& tx) -> Status {
      CANDOR_TRY(tx.Exec("DELETE FROM outbox WHERE id = $1", {next->first}));
      return OkStatus();
    }));
  }
}

Status Engine::State::StagePendingCommit(const Bytes& group_id, uint64_t from_epoch,
                                         const Json& request, const mls::GroupState& next) {
  const SecretBytes raw = next.Serialize();
  CANDOR_ASSIGN_OR_RETURN(Bytes sealed, profile->Seal(PendingAad(group_id), raw.view()));
  return profile->Write([&](store::SqlTx& tx) -> Status {
    CANDOR_TRY(tx.Exec(
        "INSERT INTO pending_commits (group_id, from_epoch, request, next_state) VALUES ($1, $2, "
        "$3, $4) ON CONFLICT (group_id) DO UPDATE SET from_epoch = excluded.from_epoch, request "
        "= excluded.request, next_state = excluded.next_state",
        {group_id, static_cast<int64_t>(from_epoch), request.dump(), sealed}));
    return OkStatus();
  });
}

Result<Engine::State::CommitFate> Engine::State::SettleCommit(const Bytes& group_id) {
  // The pending commit: the epoch it leaves, the request to repeat, the GroupInfo it makes.
  uint64_t from_epoch = 0;
  Json request;
  Bytes group_info;
  bool found = false;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT from_epoch, request FROM pending_commits WHERE group_id = $1",
                            {group_id}));
    if (rows.empty()) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(int64_t from, rows[0].Int(0, "from_epoch"));
    CANDOR_ASSIGN_OR_RETURN(std::string text, rows[0].Text(1, "request"));
    from_epoch = static_cast<uint64_t>(from);
    request = Json::parse(text, nullptr, false);
    const auto field = request.is_object() ? request.find("group_info") : request.end();
    auto info = field != request.end() && field->is_string()
                    ? Base64Decode(field->get_ref<const std::string&>())
                    : Result<Bytes>(MakeError(Errc::kMalformed, "no group_info"));
    if (!info.ok()) return MakeError(Errc::kInternal, "profile: a pending commit is damaged");
    group_info = std::move(*info);
    found = true;
    return OkStatus();
  }));
  if (!found) return CommitFate::kNone;

  auto drop = [&]() -> Status {
    return profile->Write([&](store::SqlTx& tx) -> Status {
      CANDOR_TRY(tx.Exec("DELETE FROM pending_commits WHERE group_id = $1", {group_id}));
      return OkStatus();
    });
  };
  auto adopt = [&]() -> Status {
    return profile->Write([&](store::SqlTx& tx) -> Status {
      CANDOR_ASSIGN_OR_RETURN(
          auto rows,
          tx.Query("SELECT next_state FROM pending_commits WHERE group_id = $1", {group_id}));
      if (rows.empty()) return MakeError(Errc::kInternal, "profile: the pending commit vanished");
      CANDOR_ASSIGN_OR_RETURN(Bytes sealed, rows[0].Blob(0, "next_state"));
      CANDOR_ASSIGN_OR_RETURN(SecretBytes raw, profile->Unseal(PendingAad(group_id), sealed));
      CANDOR_ASSIGN_OR_RETURN(mls::GroupState next, OpenGroupState(raw.view()));
      CANDOR_ASSIGN_OR_RETURN(std::optional<GroupRow> current, LoadGroupById(tx, group_id));
      if (!current) return MakeError(Errc::kInternal, "profile: the group vanished");
      GroupRow row{group_id, current->name, current->peer, std::move(next)};
      CANDOR_TRY(SaveGroup(tx, row, true, current->state));
      CANDOR_TRY(tx.Exec("DELETE FROM pending_commits WHERE group_id = $1", {group_id}));
      return OkStatus();
    });
  };

  Error last = MakeError(Errc::kUnavailable, "the server did not answer");
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
    auto accepted = api->Call("POST", "v1/groups/commit", &request, true);
    if (!accepted.ok() && accepted.error().code == Errc::kUnauthenticated) {
      auto signed_in = SignIn();
      if (signed_in.ok()) accepted = api->Call("POST", "v1/groups/commit", &request, true);
    }
    if (accepted.ok()) {
      CANDOR_TRY(adopt());
      return CommitFate::kWon;
    }
    if (Definitive(accepted.error()) && accepted.error().code != Errc::kConflict) {
      CANDOR_TRY(drop());
      return accepted.error();
    }
    last = accepted.error();
    // A conflict, or no answer: the newest GroupInfo says who won the epoch after ours.
    auto info = api->Call("GET", GroupPath(group_id) + "/group-info", nullptr, true);
    if (!info.ok()) {
      if (Definitive(info.error())) {  // no longer a member, or no such group
        CANDOR_TRY(drop());
        return CommitFate::kLost;
      }
      last = info.error();
      continue;
    }
    const uint64_t epoch = info->value("epoch", uint64_t{0});
    auto bytes = Base64Decode(info->value("group_info", ""));
    if (epoch == from_epoch + 1 && bytes.ok() && *bytes == group_info) {
      CANDOR_TRY(adopt());
      return CommitFate::kWon;
    }
    if (epoch > from_epoch) {
      CANDOR_TRY(drop());
      return CommitFate::kLost;
    }
    // Still at our epoch: the commit never arrived; send it again.
  }
  return MakeError(last.code == Errc::kConflict ? Errc::kUnavailable : last.code,
                   "a group change waits for the server's answer (" + last.message +
                       "); it is settled with the next command");
}

Status Engine::State::SettleAll(std::vector<Notice>* notices) {
  std::vector<Bytes> ids;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT group_id FROM pending_commits", {}));
    for (const auto& r : rows) {
      CANDOR_ASSIGN_OR_RETURN(Bytes id, r.Blob(0, "group_id"));
      ids.push_back(std::move(id));
    }
    return OkStatus();
  }));
  for (const Bytes& id : ids) {
    auto fate = SettleCommit(id);
    if (!fate.ok()) {
      if (!Definitive(fate.error())) return fate.error();
      if (notices != nullptr) {
        notices->push_back(
            {Notice::Kind::kWarning, "a group change was refused: " + fate.error().message});
      }
    }
  }
  CANDOR_TRY(FlushOutbox(notices));
  return OkStatus();
}

}  // namespace candor::client
