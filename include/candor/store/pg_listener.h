// pg_listener.h: one PostgreSQL session that LISTENs on a channel and hands over the payloads
// of the notifications sent to it (the cross-node wake-up hints of presence_store.h). It is
// its own connection, never pooled: LISTEN belongs to a session, so no transaction-pooling
// proxy (PgBouncer in transaction mode) may sit in front of it. No libpq type appears here.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "candor/base/result.h"

namespace candor::store {

class PgListener {
 public:
  // Open connects with `conninfo` and listens on `channel` (1 to 63 of a-z 0-9 _).
  // kUnavailable if the server cannot be reached.
  static Result<std::unique_ptr<PgListener>> Open(const std::string& conninfo,
                                                  const std::string& channel);
  ~PgListener();
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  // Wait returns the payloads that arrived, waiting up to `timeout` for the first (empty when
  // none came). kUnavailable once the connection broke: open a new listener, and treat every
  // hint sent meanwhile as lost.
  Result<std::vector<std::string>> Wait(std::chrono::milliseconds timeout);

  struct Session;

 private:
  explicit PgListener(std::unique_ptr<Session> session);
  std::unique_ptr<Session> session_;
};

}  // namespace candor::store
