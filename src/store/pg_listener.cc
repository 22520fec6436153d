#include "candor/store/pg_listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>

namespace candor::store {

struct PgListener::Session {
  PGconn* conn = nullptr;
  ~Session() {
    if (conn != nullptr) PQfinish(conn);
  }
};

PgListener::PgListener(std::unique_ptr<Session> session) : session_(std::move(session)) {}
PgListener::~PgListener() = default;

Result<std::unique_ptr<PgListener>> PgListener::Open(const std::string& conninfo,
                                                     const std::string& channel) {
  if (channel.empty() || channel.size() > 63 ||
      !std::all_of(channel.begin(), channel.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    return MakeError(Errc::kInvalidArgument, "a channel is 1 to 63 of a-z 0-9 _");
  }
  auto session = std::make_unique<Session>();
  session->conn = PQconnectdb(conninfo.c_str());
  if (session->conn == nullptr || PQstatus(session->conn) != CONNECTION_OK) {
    return MakeError(
        Errc::kUnavailable,
        std::string("postgresql: cannot listen: ") +
            (session->conn == nullptr ? "out of memory" : PQerrorMessage(session->conn)));
  }
  // The channel is checked above, so it is a plain identifier.
  PGresult* r = PQexec(session->conn, ("LISTEN " + channel).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    return MakeError(Errc::kUnavailable,
                     std::string("postgresql: LISTEN failed: ") + PQerrorMessage(session->conn));
  }
  return std::unique_ptr<PgListener>(new PgListener(std::move(session)));
}

Result<std::vector<std::string>> PgListener::Wait(std::chrono::milliseconds timeout) {
  PGconn* conn = session_->conn;
  std::vector<std::string> out;
  auto drain = [&]() -> Status {
    if (PQconsumeInput(conn) == 0) {
      return MakeError(
          Errc::kUnavailable,
          std::string("postgresql: the listening connection broke: ") + PQerrorMessage(conn));
    }
    while (PGnotify* n = PQnotifies(conn)) {
      out.emplace_back(n->extra);
      PQfreemem(n);
    }
    return OkStatus();
  };
  CANDOR_TRY(drain());
  if (!out.empty()) return out;
  pollfd pfd{PQsocket(conn), POLLIN, 0};
  if (pfd.fd < 0) return MakeError(Errc::kUnavailable, "postgresql: the listening socket is gone");
  const int ready = poll(&pfd, 1, static_cast<int>(timeout.count()));
  if (ready > 0) CANDOR_TRY(drain());
  return out;
}

}  // namespace candor::store
