#include "candor/client/trust.h"

#include <nlohmann/json.hpp>

#include "candor/base/encoding.h"
#include "candor/base/tls.h"

namespace candor::client {

Result<tlog::LogTrust> ClientTrust::HeadsTrust() const {
  return tlog::ParseLogTrust(kt_heads_log, witnesses, quorum);
}

Result<ClientTrust> ParseClientTrust(std::string_view json) {
  using Json = nlohmann::json;
  const Json j = Json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(Errc::kInvalidArgument, "trust file: not a JSON object");
  }
  const auto str = [&j](const char* key) -> Result<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      return MakeError(Errc::kInvalidArgument, std::string("trust file: ") + key + " is missing");
    }
    return it->get<std::string>();
  };
  ClientTrust t;
  CANDOR_ASSIGN_OR_RETURN(std::string server, str("server"));
  CANDOR_ASSIGN_OR_RETURN(t.server, net::ParseUrl(server));
  CANDOR_ASSIGN_OR_RETURN(std::string config, str("kt_config"));
  auto raw = Base64Decode(config);
  if (!raw.ok()) return MakeError(Errc::kInvalidArgument, "trust file: kt_config is not base64");
  auto decoded = tls::DecodeExact<kt::Configuration>(*raw);
  if (!decoded.ok() || !kt::ValidateConfiguration(*decoded).ok()) {
    return MakeError(Errc::kInvalidArgument, "trust file: kt_config is not a valid Configuration");
  }
  t.kt_config = std::move(*decoded);
  CANDOR_ASSIGN_OR_RETURN(t.kt_heads_log, str("kt_heads_log"));
  auto w = j.find("witnesses");
  if (w != j.end()) {
    if (!w->is_array()) return MakeError(Errc::kInvalidArgument, "trust file: witnesses");
    for (const Json& v : *w) {
      if (!v.is_string()) return MakeError(Errc::kInvalidArgument, "trust file: witnesses");
      t.witnesses.push_back(v.get<std::string>());
    }
  }
  auto q = j.find("quorum");
  if (q != j.end()) {
    if (!q->is_number_unsigned()) return MakeError(Errc::kInvalidArgument, "trust file: quorum");
    t.quorum = q->get<size_t>();
  }
  CANDOR_TRY(t.HeadsTrust());
  return t;
}

std::string FormatClientTrust(const ClientTrust& t) {
  nlohmann::json j = {{"server", t.server.ToString()},
                      {"kt_config", Base64Encode(tls::Encode(t.kt_config))},
                      {"kt_heads_log", t.kt_heads_log},
                      {"witnesses", t.witnesses},
                      {"quorum", t.quorum}};
  return j.dump(2) + "\n";
}

}  // namespace candor::client
