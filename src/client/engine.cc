// The engine's account side: creating the account and the device, signing in, KeyPackages,
// contacts and their verified device lists, safety numbers, monitoring.
#include "candor/client/engine.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/str_cat.h"
#include "candor/base/tls.h"
#include "candor/crypto/hash.h"
#include "candor/crypto/sha256.h"
#include "candor/mls/candor_identity.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/mls_message.h"
#include "engine_internal.h"

namespace candor::client {
namespace {

constexpr size_t kKeyPackageBatch = 20;
constexpr uint64_t kKeyPackageLow = 10;
constexpr uint64_t kKeyPackageLifeS = 90ull * 24 * 3600;

Result<crypto::SignaturePrivateKey> LoadKey(Profile& p, store::SqlTx& tx, const char* name,
                                            crypto::SignatureScheme scheme) {
  CANDOR_ASSIGN_OR_RETURN(std::optional<SecretBytes> raw, p.GetSecret(tx, name));
  if (!raw) return MakeError(Errc::kNotFound, std::string("the profile has no ") + name);
  return crypto::SignaturePrivateKey::FromBytes(scheme, raw->view());
}

Result<std::string> GetText(store::SqlTx& tx, const char* name) {
  CANDOR_ASSIGN_OR_RETURN(std::optional<Bytes> v, Profile::Get(tx, name));
  if (!v) return MakeError(Errc::kNotFound, std::string("the profile has no ") + name);
  return std::string(AsStringView(*v));
}

std::vector<std::string> DeviceIds(const kt::DeviceList& list) {
  std::vector<std::string> out;
  for (const kt::Device& d : list.list.devices) out.emplace_back(AsStringView(d.device_id));
  return out;
}

// SafetyDigits renders 30 bytes as 60 decimal digits in groups of five.
std::string SafetyDigits(ByteView digest) {
  std::string out;
  for (size_t i = 0; i + 5 <= digest.size() && i < 30; i += 5) {
    uint64_t chunk = 0;
    for (size_t j = 0; j < 5; ++j) chunk = (chunk << 8) | digest[i + j];
    const std::string part = std::to_string(chunk % 10000000000ull);
    const std::string padded = std::string(10 - part.size(), '0') + part;
    if (!out.empty()) out += ' ';
    out += padded.substr(0, 5) + ' ' + padded.substr(5);
  }
  return out;
}

}  // namespace

std::unique_ptr<Engine::State> Engine::State::For(const Options& options) {
  auto s = std::make_unique<State>();
  s->executor = options.executor;
  s->clock = options.clock ? options.clock : SystemClock();
  s->late_epochs = options.late_epochs;
  return s;
}

Engine::Engine(std::unique_ptr<State> state) : s_(std::move(state)) {
  handle_ = s_->handle;
  device_id_ = s_->device_id;
}

Engine::~Engine() = default;

bool Engine::sealed() const { return s_->profile->sealed(); }

Status Engine::State::AddAlarm(const std::string& text) {
  return profile->Write([&](store::SqlTx& tx) -> Status {
    // The same alarm raised again (each monitoring round) is recorded once.
    CANDOR_ASSIGN_OR_RETURN(auto seen, tx.Query("SELECT 1 FROM alarms WHERE text = $1", {text}));
    if (!seen.empty()) return OkStatus();
    CANDOR_TRY(tx.Exec("INSERT INTO alarms (at, text) VALUES ($1, $2)",
                       {static_cast<int64_t>(clock()), text}));
    return OkStatus();
  });
}

Status Engine::State::SignIn() {
  Json req = {{"handle", handle}, {"device_id", device_id}};
  // Challenges are rate-limited per address (which a household shares): wait a little.
  auto challenge = api->Call("POST", "v1/auth/challenge", &req, false);
  for (int attempt = 1;
       attempt <= 5 && !challenge.ok() && challenge.error().code == Errc::kRateLimited; ++attempt) {
    std::this_thread::sleep_for(std::chrono::seconds(attempt));
    challenge = api->Call("POST", "v1/auth/challenge", &req, false);
  }
  if (!challenge.ok()) return challenge.error();
  auto raw = Base64Decode(challenge->value("challenge", ""));
  if (!raw.ok()) return MakeError(Errc::kMalformed, "server: bad challenge");
  const Bytes signature = device_key->Sign(kt::DeviceAuthMessage(handle, device_id, *raw));
  Json sreq = {{"handle", handle},
               {"device_id", device_id},
               {"challenge", Base64Encode(*raw)},
               {"signature", Base64Encode(signature)}};
  CANDOR_ASSIGN_OR_RETURN(Json session, api->Call("POST", "v1/auth/session", &sreq, false));
  const std::string token = session.value("token", "");
  const uint64_t expires = session.value("expires_at", uint64_t{0});
  if (token.empty()) return MakeError(Errc::kMalformed, "server: no session token");
  api->set_token(token);
  // Keep the session (sealed) so the next command need not sign in again.
  tls::Writer w = tls::Writer::ForSecrets();
  w.U64(expires);
  w.OpaqueV(AsBytes(token));
  const SecretBytes saved = w.TakeSecret();
  return profile->Write(
      [&](store::SqlTx& tx) { return profile->PutSecret(tx, "session", saved.view()); });
}

Status Engine::State::EnsureSession() {
  if (api->has_token()) return OkStatus();
  std::optional<SecretBytes> saved;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(saved, profile->GetSecret(tx, "session"));
    return OkStatus();
  }));
  if (saved) {
    tls::Reader r(saved->view());
    auto expires = r.U64();
    auto token = r.OpaqueV();
    if (expires.ok() && token.ok() && *expires > clock() + 60'000) {
      api->set_token(std::string(AsStringView(*token)));
      return OkStatus();
    }
  }
  return SignIn();
}

Result<kt::DeviceList> Engine::State::OwnList() {
  std::optional<Bytes> raw;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(raw, Profile::Get(tx, "own_list"));
    return OkStatus();
  }));
  if (!raw) return MakeError(Errc::kNotFound, "the profile has no device list");
  return tls::DecodeExact<kt::DeviceList>(*raw);
}

Status Engine::State::Refill() {
  CANDOR_TRY(EnsureSession());
  CANDOR_ASSIGN_OR_RETURN(Json stock, api->Call("GET", "v1/keypackages/count", nullptr, true));
  const uint64_t available = stock.value("available", uint64_t{0});
  const bool has_last_resort = stock.value("last_resort", false);
  if (available >= kKeyPackageLow && has_last_resort) return OkStatus();
  CANDOR_ASSIGN_OR_RETURN(Bytes identity, mls::EncodeCandorIdentity({handle, device_id}));
  const uint64_t now_s = clock() / 1000;
  const mls::Lifetime life{now_s - 3600, now_s + kKeyPackageLifeS};
  Json upload = {{"key_packages", Json::array()}};
  // Private keys are stored (sealed) before the KeyPackages are published.
  CANDOR_TRY(profile->Write([&](store::SqlTx& tx) -> Status {
    const size_t make = available >= kKeyPackageLow ? 0 : kKeyPackageBatch;
    for (size_t i = 0; i < make + (has_last_resort ? 0 : 1); ++i) {
      const bool last_resort = i == make;
      mls::Credential credential;
      credential.identity = identity;
      // The server knows the last-resort KeyPackage by the upload field it came in.
      CANDOR_ASSIGN_OR_RETURN(mls::KeyPackageWithKeys kp,
                              mls::CreateKeyPackage(*cs, *mls_key, credential, life));
      mls::MLSMessage msg;
      msg.message = kp.key_package;
      const Bytes wire = tls::Encode(msg);
      tls::Writer w = tls::Writer::ForSecrets();
      w.OpaqueV(wire);
      w.OpaqueV(kp.init_private_key.view());
      w.OpaqueV(kp.encryption_private_key.view());
      const Bytes ref = mls::MakeKeyPackageRef(*cs, kp.key_package);
      const SecretBytes keys = w.TakeSecret();
      CANDOR_ASSIGN_OR_RETURN(Bytes sealed, profile->Seal("kp:" + HexEncode(ref), keys.view()));
      CANDOR_TRY(tx.Exec(
          "INSERT INTO key_packages (ref, private, last_resort, created_at) VALUES ($1, $2, $3, "
          "$4)",
          {ref, sealed, int64_t{last_resort ? 1 : 0}, static_cast<int64_t>(clock())}));
      if (last_resort) {
        upload["last_resort"] = Base64Encode(wire);
      } else {
        upload["key_packages"].push_back(Base64Encode(wire));
      }
    }
    return OkStatus();
  }));
  CANDOR_TRY(api->Call("POST", "v1/keypackages", &upload, true));
  return OkStatus();
}

Result<kt::DeviceList> Engine::State::Verified(const std::string& h, bool fresh,
                                               std::vector<Notice>* notices) {
  std::optional<kt::DeviceList> known;
  uint64_t checked_at = 0;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT device_list, checked_at FROM contacts "
                                                "WHERE handle = $1",
                                                {h}));
    if (rows.empty()) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(Bytes raw, rows[0].Blob(0, "device_list"));
    CANDOR_ASSIGN_OR_RETURN(int64_t at, rows[0].Int(1, "checked_at"));
    CANDOR_ASSIGN_OR_RETURN(known, tls::DecodeExact<kt::DeviceList>(raw));
    checked_at = static_cast<uint64_t>(at);
    return OkStatus();
  }));
  if (known && !fresh && clock() < checked_at + kRecheckMs) return *known;
  CANDOR_ASSIGN_OR_RETURN(std::optional<VerifiedList> found, directory->Lookup(h));
  if (!found) return MakeError(Errc::kNotFound, "there is no account " + h);
  if (known) {
    // The new list must come from the same account key, later in its sequence.
    auto follows = kt::VerifyDeviceList(AsBytes(h), found->list, known);
    const bool same = found->list == *known;
    if (!same && !follows.ok()) {
      const std::string text = "the directory now shows a device list for " + h +
                               " that is not signed by the account key you know: refusing it "
                               "(compare safety numbers with " +
                               h + " before trusting anything)";
      (void)AddAlarm(text);
      // Until a list that verifies appears, every use checks again (and refuses).
      (void)profile->Write([&](store::SqlTx& tx) -> Status {
        CANDOR_TRY(tx.Exec("UPDATE contacts SET checked_at = 0 WHERE handle = $1", {h}));
        return OkStatus();
      });
      return MakeError(Errc::kVerifyFailed, text);
    }
    const auto before = DeviceIds(*known);
    const auto after = DeviceIds(found->list);
    for (const std::string& d : after) {
      if (std::find(before.begin(), before.end(), d) == before.end() && notices != nullptr) {
        notices->push_back(
            {Notice::Kind::kWarning,
             StrCat({h, " has a new device: ", d, " (signed by ", h, "'s account key)"})});
      }
    }
    for (const std::string& d : before) {
      if (std::find(after.begin(), after.end(), d) == after.end() && notices != nullptr) {
        notices->push_back({Notice::Kind::kInfo, StrCat({h, " removed device ", d})});
      }
    }
  }
  const Bytes encoded = tls::Encode(found->list);
  CANDOR_TRY(profile->Write([&](store::SqlTx& tx) -> Status {
    CANDOR_TRY(
        tx.Exec("INSERT INTO contacts (handle, device_list, version, added_at, checked_at, "
                "user_verified) VALUES ($1, $2, $3, $4, $4, 0) ON CONFLICT (handle) DO UPDATE SET "
                "device_list = excluded.device_list, version = excluded.version, checked_at = "
                "excluded.checked_at",
                {h, encoded, static_cast<int64_t>(found->version), static_cast<int64_t>(clock())}));
    return OkStatus();
  }));
  return found->list;
}

Result<std::unique_ptr<Engine>> Engine::CreateAccount(const Options& options,
                                                      const ClientTrust& trust,
                                                      const std::string& handle,
                                                      const std::string& device_id) {
  if (!mls::IsValidHandle(handle)) {
    return MakeError(Errc::kInvalidArgument,
                     "a handle is 1 to 64 characters of a-z 0-9 . _ -, starting with a letter");
  }
  if (!mls::IsValidDeviceId(device_id)) {
    return MakeError(Errc::kInvalidArgument, "a device name is 1 to 64 of a-z 0-9 . _ -");
  }
  auto s = State::For(options);
  CANDOR_ASSIGN_OR_RETURN(s->cs, mls::GetCipherSuiteParams(kSuite));
  s->trust = trust;
  s->handle = handle;
  s->device_id = device_id;
  s->account_key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  s->device_key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  s->mls_key = crypto::SignaturePrivateKey::Generate(s->cs->signature);
  kt::DeviceListTBS tbs;
  tbs.account_scheme = crypto::SignatureScheme::kEd25519;
  tbs.account_key = s->account_key->public_key();
  tbs.sequence = 1;
  kt::Device me;
  me.device_id = Bytes(device_id.begin(), device_id.end());
  me.signature_scheme = crypto::SignatureScheme::kEd25519;
  me.signature_key = s->device_key->public_key();
  me.mls_cipher_suite = static_cast<uint16_t>(kSuite);
  me.mls_signature_key = s->mls_key->public_key();
  me.added_at = s->clock();
  tbs.devices.push_back(me);
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list,
                          kt::SignDeviceList(*s->account_key, AsBytes(handle), std::move(tbs)));

  CANDOR_ASSIGN_OR_RETURN(s->profile,
                          Profile::Create(options.profile_dir, options.passphrase.get()));
  // The keys are stored before anything is published: a crash leaves a profile that can retry.
  const std::string trust_json = FormatClientTrust(trust);
  CANDOR_TRY(s->profile->Write([&](store::SqlTx& tx) -> Status {
    CANDOR_TRY(s->profile->Put(tx, "trust", AsBytes(trust_json)));
    CANDOR_TRY(s->profile->Put(tx, "handle", AsBytes(handle)));
    CANDOR_TRY(s->profile->Put(tx, "device_id", AsBytes(device_id)));
    CANDOR_TRY(s->profile->PutSecret(tx, "account_key", s->account_key->private_key()));
    CANDOR_TRY(s->profile->PutSecret(tx, "device_key", s->device_key->private_key()));
    CANDOR_TRY(s->profile->PutSecret(tx, "mls_key", s->mls_key->private_key()));
    return s->profile->Put(tx, "own_list", tls::Encode(list));
  }));
  s->api = std::make_unique<ServerApi>(trust.server);
  CANDOR_ASSIGN_OR_RETURN(
      s->directory, DirectoryClient::Create(*s->api, s->trust, *s->profile, s->clock, s->executor));
  // Owner monitoring starts before the first version, so the owner sees every version ever made.
  Status published = s->directory->InitOwner(handle);
  if (published.ok()) {
    auto update = s->directory->Publish(handle, list);
    if (!update.ok()) published = update.error();
  }
  if (!published.ok()) {
    // The directory refused the account: leave no half-made profile behind. Any other failure
    // keeps the profile (its keys may already be published) for a later retry.
    const bool refused = published.error().message.rfind("server:", 0) == 0 &&
                         published.error().code != Errc::kUnavailable &&
                         published.error().code != Errc::kInternal;
    if (refused) {
      std::error_code ec;
      s->profile.reset();
      std::filesystem::remove_all(options.profile_dir, ec);
      return MakeError(published.error().code,
                       "the directory refused the account " + handle +
                           " (is the handle taken?): " + published.error().message);
    }
    return published.error();
  }
  CANDOR_TRY(s->SignIn());
  CANDOR_TRY(s->Refill());
  return std::unique_ptr<Engine>(new Engine(std::move(s)));
}

Result<std::unique_ptr<Engine>> Engine::Open(const Options& options) {
  auto s = State::For(options);
  CANDOR_ASSIGN_OR_RETURN(s->profile, Profile::Open(options.profile_dir, options.passphrase.get()));
  CANDOR_ASSIGN_OR_RETURN(s->cs, mls::GetCipherSuiteParams(kSuite));
  CANDOR_TRY(s->profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(std::string trust_json, GetText(tx, "trust"));
    CANDOR_ASSIGN_OR_RETURN(s->trust, ParseClientTrust(trust_json));
    CANDOR_ASSIGN_OR_RETURN(s->handle, GetText(tx, "handle"));
    CANDOR_ASSIGN_OR_RETURN(s->device_id, GetText(tx, "device_id"));
    CANDOR_ASSIGN_OR_RETURN(
        s->device_key, LoadKey(*s->profile, tx, "device_key", crypto::SignatureScheme::kEd25519));
    CANDOR_ASSIGN_OR_RETURN(s->mls_key, LoadKey(*s->profile, tx, "mls_key", s->cs->signature));
    auto account = LoadKey(*s->profile, tx, "account_key", crypto::SignatureScheme::kEd25519);
    if (account.ok()) s->account_key = std::move(*account);
    return OkStatus();
  }));
  s->api = std::make_unique<ServerApi>(s->trust.server);
  CANDOR_ASSIGN_OR_RETURN(
      s->directory, DirectoryClient::Create(*s->api, s->trust, *s->profile, s->clock, s->executor));
  return std::unique_ptr<Engine>(new Engine(std::move(s)));
}

Result<std::vector<std::string>> Engine::Devices() {
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list, s_->OwnList());
  return DeviceIds(list);
}

Result<Contact> Engine::AddContact(const std::string& handle) {
  if (handle == handle_) return MakeError(Errc::kInvalidArgument, "that is your own account");
  std::vector<Notice> notices;
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list, s_->Verified(handle, true, &notices));
  Contact c;
  c.handle = handle;
  c.devices = DeviceIds(list);
  return c;
}

Result<std::vector<Contact>> Engine::Contacts() {
  std::vector<Contact> out;
  CANDOR_TRY(s_->profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT handle, device_list, version, user_verified FROM contacts "
                            "ORDER BY handle",
                            {}));
    for (const auto& row : rows) {
      Contact c;
      CANDOR_ASSIGN_OR_RETURN(c.handle, row.Text(0, "handle"));
      CANDOR_ASSIGN_OR_RETURN(Bytes raw, row.Blob(1, "device_list"));
      CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list, tls::DecodeExact<kt::DeviceList>(raw));
      c.devices = DeviceIds(list);
      CANDOR_ASSIGN_OR_RETURN(int64_t version, row.Int(2, "version"));
      c.version = static_cast<uint32_t>(version);
      CANDOR_ASSIGN_OR_RETURN(int64_t verified, row.Int(3, "user_verified"));
      c.user_verified = verified != 0;
      out.push_back(std::move(c));
    }
    return OkStatus();
  }));
  return out;
}

Result<std::string> Engine::SafetyNumber(const std::string& handle) {
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList theirs, s_->Verified(handle, true, nullptr));
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList mine, s_->OwnList());
  // Both sides hash the two (handle, account key) pairs in the same (sorted) order.
  std::vector<std::pair<std::string, Bytes>> parts = {{handle_, mine.list.account_key},
                                                      {handle, theirs.list.account_key}};
  std::sort(parts.begin(), parts.end());
  constexpr std::string_view kLabel = "Candor safety number v1";
  Bytes input(kLabel.begin(), kLabel.end());
  for (const auto& [h, key] : parts) {
    input.push_back(static_cast<uint8_t>(h.size()));
    input.insert(input.end(), h.begin(), h.end());
    input.push_back(static_cast<uint8_t>(key.size()));
    input.insert(input.end(), key.begin(), key.end());
  }
  Hash32 digest = crypto::Sha256(input);
  for (int i = 0; i < 4999; ++i) digest = crypto::Sha256(digest);  // slows a search for a match
  return SafetyDigits(digest);
}

Status Engine::MarkVerified(const std::string& handle) {
  return s_->profile->Write([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(uint64_t n, tx.Exec("UPDATE contacts SET user_verified = 1 WHERE "
                                                "handle = $1",
                                                {handle}));
    if (n == 0) return MakeError(Errc::kNotFound, handle + " is not a contact");
    return OkStatus();
  });
}

Result<MonitorReport> Engine::Monitor() {
  MonitorReport report;
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList own, s_->OwnList());
  CANDOR_ASSIGN_OR_RETURN(OwnerReport owner,
                          s_->directory->MonitorOwner(handle_, own.list.account_key, own));
  for (const std::string& alarm : owner.alarms) {
    CANDOR_TRY(s_->AddAlarm(alarm));
    report.notices.push_back({Notice::Kind::kAlarm, alarm});
  }
  // Owner monitoring sees a new version once the directory has a distinguished entry after it;
  // the account's current entry, looked up like any contact's, shows it at once. Each round
  // raises the alarm again for as long as the entry is not this account's.
  CANDOR_ASSIGN_OR_RETURN(std::optional<VerifiedList> current, s_->directory->Lookup(handle_));
  std::optional<kt::DeviceList> follow;
  if (!current) {
    const std::string text = "the directory no longer shows your account " + handle_;
    CANDOR_TRY(s_->AddAlarm(text));
    report.notices.push_back({Notice::Kind::kAlarm, text});
  } else if (!(current->list == own)) {
    if (current->list.list.account_key == own.list.account_key &&
        kt::VerifyDeviceList(AsBytes(handle_), current->list, own).ok()) {
      follow = current->list;  // another device of this account changed the list
    } else {
      std::string devices;
      for (const std::string& d : DeviceIds(current->list)) {
        devices += (devices.empty() ? "" : ", ") + d;
      }
      const std::string text = "the directory's current entry for your account " + handle_ +
                               " (version " + std::to_string(current->version) +
                               ", devices: " + devices +
                               ") is not signed by your account key: someone with access to "
                               "the server changed it; do not trust new devices of " +
                               handle_;
      CANDOR_TRY(s_->AddAlarm(text));
      report.notices.push_back({Notice::Kind::kAlarm, text});
    }
  }
  if (!follow && owner.latest && owner.alarms.empty() && !(owner.latest->list == own) &&
      report.notices.empty()) {
    follow = owner.latest->list;
  }
  if (follow) {
    // Another device of this account changed the list (signed by the account key): follow it.
    const auto before = DeviceIds(own);
    for (const std::string& d : DeviceIds(*follow)) {
      if (std::find(before.begin(), before.end(), d) == before.end()) {
        report.notices.push_back({Notice::Kind::kInfo, "your account has a new device: " + d});
      }
    }
    const Bytes encoded = tls::Encode(*follow);
    CANDOR_TRY(s_->profile->Write(
        [&](store::SqlTx& tx) { return s_->profile->Put(tx, "own_list", encoded); }));
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<Contact> contacts, Contacts());
  for (const Contact& c : contacts) {
    auto checked = s_->Verified(c.handle, true, &report.notices);
    if (!checked.ok()) {
      report.notices.push_back({Notice::Kind::kAlarm, checked.error().message});
    }
  }
  return report;
}

Result<std::vector<Notice>> Engine::Alarms() {
  std::vector<Notice> out;
  CANDOR_TRY(s_->profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT text FROM alarms ORDER BY id", {}));
    for (const auto& row : rows) {
      CANDOR_ASSIGN_OR_RETURN(std::string text, row.Text(0, "text"));
      out.push_back({Notice::Kind::kAlarm, std::move(text)});
    }
    return OkStatus();
  }));
  return out;
}

}  // namespace candor::client
