// trust.h: what a client trusts, fixed when it is installed (docs/formats/messaging-api.md §7):
// the server's URL (where to ask, not whom to believe), the directory's KEYTRANS Configuration
// (its keys), the tree-head log's key, the witnesses' keys and how many must cosign. A real
// deployment ships it; `candord serve` writes one for its own data directory (client-trust.json).
#pragma once

#include <string>
#include <vector>

#include "candor/base/result.h"
#include "candor/kt/tree_head.h"
#include "candor/net/http_client.h"
#include "candor/tlog/trust.h"

namespace candor::client {

struct ClientTrust {
  net::Url server;
  kt::Configuration kt_config;
  std::string kt_heads_log;            // the tree-head log's verifier key
  std::vector<std::string> witnesses;  // cosignature/v1 verifier keys
  size_t quorum = 0;

  // HeadsTrust is the trust policy of the tree-head log.
  Result<tlog::LogTrust> HeadsTrust() const;
  // HeadsUrl is the tree-head log's prefix on the server.
  net::Url HeadsUrl() const { return server.Join("logs/kt-heads/"); }
};

// ParseClientTrust reads the JSON of a trust file:
//   {"server": URL, "kt_config": base64, "kt_heads_log": vkey, "witnesses": [vkey...],
//    "quorum": n}
// kInvalidArgument names the bad field.
Result<ClientTrust> ParseClientTrust(std::string_view json);
// FormatClientTrust writes it back.
std::string FormatClientTrust(const ClientTrust& trust);

}  // namespace candor::client
