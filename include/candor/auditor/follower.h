// follower.h: `candor-auditor`, a KEYTRANS Third-Party Auditor that follows one candord
// directory over HTTP (docs/formats/messaging-api.md §3.2). It asks for the AuditorUpdate of each
// entry in turn (`GET v1/directory/auditor-update/<n>`), checks it with the `kt` auditor, saves
// its record durably, and only then posts the AuditorTreeHead it signed
// (`POST v1/directory/auditor-head`, with the auditor's bearer token). When caught up it posts
// its newest head again now and then, so a restarted directory, which keeps auditor heads in
// memory only, serves again within that interval.
//
// An update the `kt` auditor refuses means the directory misbehaved: the follower writes the
// reason to <dir>/alarm and signs nothing more for this directory, ever (Open refuses while the
// alarm file exists). Network failures and server errors are retried.
//
// An auditor directory holds:
//   auditor.key     the auditor's signing key (0600)
//   auditor.record  the AuditorRecord (auditor_record.h)
//   alarm           present once the directory was caught misbehaving
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>

#include "candor/auditor/auditor_record.h"
#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/kt/auditor.h"
#include "candor/net/http_client.h"

namespace candor::auditor {

// InitAuditor creates <dir>/auditor.key for the KEYTRANS cipher suite `suite` and returns the
// public key in base64 (what `candord init --auditor-key` takes). kConflict if a key exists.
Result<std::string> InitAuditor(const std::string& dir, kt::CipherSuite suite);

struct FollowerOptions {
  std::string dir;                         // the auditor directory
  net::Url server;                         // candord's base URL
  std::chrono::milliseconds poll{200};     // wait between checks when caught up or failing
  std::chrono::milliseconds repost{1000};  // re-post the newest head this often when idle
};

class Follower {
 public:
  // Open loads the key and record from options.dir for the directory of `config` (which must
  // be a thirdPartyAuditing Configuration whose auditor key is ours: kInvalidArgument
  // otherwise). `token` is the bearer token candord gave the auditor. kVerifyFailed (with the
  // alarm) if the alarm file exists; kMalformed if the record does not decode.
  static Result<std::unique_ptr<Follower>> Open(FollowerOptions options, kt::Configuration config,
                                                SecretBytes token);

  // Step checks the next entry if the directory published it: true when one was checked (and
  // its head saved, then posted), false when there is none yet. kVerifyFailed (alarm written)
  // when the directory's update is refused; kUnavailable or the server's error otherwise.
  Result<bool> Step();
  // PostHead posts the newest signed head (nothing at size 0). kConflict when the directory
  // holds a newer one; kInvalidArgument when its log does not have our size or root.
  Status PostHead();
  // Run steps until `stop` is requested or an alarm; it waits options.poll between checks once
  // caught up (or after an error) and re-posts the newest head every options.repost when idle.
  // Returns OK when stopped, the kVerifyFailed error on an alarm.
  Status Run(const std::stop_token& stop);

  // size is the number of entries checked.
  uint64_t size() const { return auditor_.size(); }

 private:
  Follower(FollowerOptions options, kt::Auditor auditor, AuditorRecord record, SecretBytes token)
      : options_(std::move(options)),
        auditor_(std::move(auditor)),
        record_(std::move(record)),
        token_(std::move(token)) {}
  Status RaiseAlarm(const Error& why);

  FollowerOptions options_;
  kt::Auditor auditor_;
  AuditorRecord record_;
  SecretBytes token_;
  net::HttpClient http_;
};

}  // namespace candor::auditor
