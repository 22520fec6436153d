#include "candor/server/key_package_service.h"

#include "candor/base/tls.h"
#include "candor/mls/candor_identity.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/mls_message.h"
#include "json_util.h"

namespace candor::server {
namespace {

constexpr size_t kMaxKeyPackage = 16 << 10;

Result<store::StoredKeyPackage> Parsed(const mls::KeyPackage& kp, const mls::CipherSuiteParams& cs,
                                       Bytes wire) {
  return store::StoredKeyPackage{mls::MakeKeyPackageRef(cs, kp), std::move(wire),
                                 kp.leaf_node.lifetime.not_after};
}

}  // namespace

KeyPackageService::KeyPackageService(store::KeyPackageStore& store,
                                     const DirectoryService& directory, Clock clock,
                                     Metrics& metrics, KeyPackageServiceOptions options)
    : store_(store),
      directory_(directory),
      clock_(std::move(clock)),
      options_(options),
      uploaded_(metrics.CounterFor("candor_keypackages_uploaded_total", "KeyPackages stored")),
      claimed_(metrics.CounterFor("candor_keypackages_claimed_total", "KeyPackages handed out")),
      last_resort_claimed_(metrics.CounterFor("candor_keypackages_last_resort_claimed_total",
                                              "last-resort KeyPackages handed out")) {}

void KeyPackageService::Register(net::Router& router) {
  router.Add("POST", "/v1/keypackages", {options_.max_per_upload * kMaxKeyPackage * 2, true, true},
             [this](const net::RouteRequest& req) { return Upload(req); });
  router.Add("GET", "/v1/keypackages/count", {0, true, true},
             [this](const net::RouteRequest& req) { return Count(req); });
  router.Add("POST", "/v1/keypackages/claim", {1024, true, true},
             [this](const net::RouteRequest& req) { return Claim(req); });
}

Result<store::StoredKeyPackage> KeyPackageService::Check(ByteView message, const kt::Device& device,
                                                         const net::Principal& who) const {
  auto decoded = tls::DecodeExact<mls::MLSMessage>(message);
  if (!decoded.ok()) return MakeError(Errc::kMalformed, "a KeyPackage does not decode");
  const auto* kp = std::get_if<mls::KeyPackage>(&decoded->message);
  if (kp == nullptr) return MakeError(Errc::kMalformed, "an upload is not a KeyPackage");
  if (static_cast<uint16_t>(kp->cipher_suite) != device.mls_cipher_suite) {
    return MakeError(Errc::kInvalidArgument, "a KeyPackage is not in the device's cipher suite");
  }
  auto cs = mls::GetCipherSuiteParams(kp->cipher_suite);
  if (!cs.ok()) return MakeError(Errc::kInvalidArgument, "unknown cipher suite");
  CANDOR_TRY(mls::ValidateKeyPackage(**cs, *kp, clock_() / 1000));
  if (kp->leaf_node.signature_key != device.mls_signature_key) {
    return MakeError(Errc::kVerifyFailed,
                     "a KeyPackage is not signed by the device's MLS key from its device list");
  }
  auto id = kp->leaf_node.credential.credential_type == mls::CredentialType::basic
                ? mls::DecodeCandorIdentity(kp->leaf_node.credential.identity)
                : Result<mls::CandorIdentity>(MakeError(Errc::kMalformed, "not basic"));
  if (!id.ok() || id->handle != who.handle || id->device_id != who.device_id) {
    return MakeError(Errc::kInvalidArgument,
                     "a KeyPackage's credential is not this device's CandorIdentity");
  }
  return Parsed(*kp, **cs, Bytes(message.begin(), message.end()));
}

Result<net::HttpResponse> KeyPackageService::Upload(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(Json body, ParseObject(req.http.body, {"key_packages", "last_resort"}));
  CANDOR_ASSIGN_OR_RETURN(kt::Device device,
                          directory_.FindDevice(req.principal.handle, req.principal.device_id));
  std::vector<store::StoredKeyPackage> ordinary;
  auto list = body.find("key_packages");
  if (list == body.end() && !body.contains("last_resort")) {
    return MakeError(Errc::kMalformed, "an upload holds key_packages, a last_resort, or both");
  }
  if (list != body.end()) {
    if (!list->is_array() || list->size() > options_.max_per_upload) {
      return MakeError(Errc::kInvalidArgument, "key_packages must be a list of at most " +
                                                   std::to_string(options_.max_per_upload));
    }
    for (const Json& item : *list) {
      Json holder = {{"key_package", item}};
      CANDOR_ASSIGN_OR_RETURN(Bytes wire, Base64Field(holder, "key_package", kMaxKeyPackage));
      CANDOR_ASSIGN_OR_RETURN(store::StoredKeyPackage kp, Check(wire, device, req.principal));
      ordinary.push_back(std::move(kp));
    }
  }
  CANDOR_ASSIGN_OR_RETURN(std::optional<Bytes> last,
                          OptionalBase64Field(body, "last_resort", kMaxKeyPackage));
  std::optional<store::StoredKeyPackage> last_resort;
  if (last) {
    CANDOR_ASSIGN_OR_RETURN(store::StoredKeyPackage kp, Check(*last, device, req.principal));
    last_resort = std::move(kp);
  }
  const store::DeviceAddress who{req.principal.handle, req.principal.device_id};
  CANDOR_TRY(store_.Add(who, ordinary, last_resort, options_.max_stored_per_device));
  uploaded_.Add(ordinary.size() + (last_resort ? 1 : 0));
  return Count(req);
}

Result<net::HttpResponse> KeyPackageService::Count(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(
      store::KeyPackageStock stock,
      store_.Stock({req.principal.handle, req.principal.device_id}, clock_() / 1000));
  return JsonAnswer({{"available", stock.available}, {"last_resort", stock.last_resort}});
}

Result<net::HttpResponse> KeyPackageService::Claim(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(Json body, ParseObject(req.http.body, {"handle"}));
  CANDOR_ASSIGN_OR_RETURN(std::string handle, StringField(body, "handle", 64));
  CANDOR_ASSIGN_OR_RETURN(std::optional<kt::DeviceList> list, directory_.CurrentDeviceList(handle));
  if (!list) return MakeError(Errc::kNotFound, "no account " + handle);
  Json kps = Json::array();
  Json missing = Json::array();
  for (const kt::Device& d : list->list.devices) {
    const std::string id(AsStringView(d.device_id));
    auto got = store_.Claim({handle, id}, clock_() / 1000);
    if (!got.ok()) {
      if (got.error().code != Errc::kNotFound) return got.error();
      missing.push_back(id);
      continue;
    }
    claimed_.Add();
    if (got->last_resort) last_resort_claimed_.Add();
    kps.push_back(
        {{"device_id", id}, {"key_package", B64(got->body)}, {"last_resort", got->last_resort}});
  }
  return JsonAnswer({{"key_packages", kps}, {"missing", missing}});
}

void KeyPackageService::RemoveExpired() { (void)store_.RemoveExpired(clock_() / 1000); }

}  // namespace candor::server
