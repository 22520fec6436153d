// engine_accounts.h: the set-up that the messaging drivers share. Accounts of one device each
// are made with the real client engine (keys, KEYTRANS publish, sign-in, KeyPackages) in
// unsealed profiles under one folder, one profile per handle, and a profile's session token and
// MLS signature key are read back from it so that a driver can speak to the server directly.
#pragma once

#include <atomic>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/client/engine.h"
#include "candor/client/profile.h"
#include "candor/crypto/signature.h"

namespace candor::bench {

// RunOnThreads runs job(i) for i in [0, n) on `threads` threads and returns the first failure
// (the others then stop taking work).
inline Status RunOnThreads(size_t n, int threads, const std::function<Status(size_t)>& job) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::optional<Error> first_error;
  std::mutex mu;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n && !failed; i = next++) {
        Status st = job(i);
        if (!st.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (!first_error) first_error = st.error();
          failed = true;
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  if (first_error) return *first_error;
  return OkStatus();
}

// CreateEngineAccounts makes accounts <prefix>00000 .. <prefix>(n-1), device "d" each, with
// profiles in <work>/<handle>, on `threads` threads; returns the handles in order.
inline Result<std::vector<std::string>> CreateEngineAccounts(const client::ClientTrust& trust,
                                                             const std::string& work,
                                                             const std::string& prefix, size_t n,
                                                             int threads) {
  std::vector<std::string> handles(n);
  CANDOR_TRY(RunOnThreads(n, threads, [&](size_t i) -> Status {
    char number[16];
    (void)std::snprintf(number, sizeof(number), "%05zu", i);
    const std::string name = prefix + number;
    auto e = client::Engine::CreateAccount({work + "/" + name, nullptr, nullptr, SystemClock()},
                                           trust, name, "d");
    if (!e.ok()) {
      return MakeError(Errc::kInternal, "account set-up: " + name + ": " + e.error().message);
    }
    handles[i] = name;
    return OkStatus();
  }));
  return handles;
}

// ReadSessionToken returns the session token the engine saved in the (unsealed) profile at
// `profile_dir` when it signed in.
inline Result<std::string> ReadSessionToken(const std::string& profile_dir) {
  CANDOR_ASSIGN_OR_RETURN(auto profile, client::Profile::Open(profile_dir, nullptr));
  std::string token;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto saved, profile->GetSecret(tx, "session"));
    if (!saved) return MakeError(Errc::kNotFound, "no session in " + profile_dir);
    tls::Reader r(saved->view());
    CANDOR_TRY(r.U64());
    CANDOR_ASSIGN_OR_RETURN(ByteView raw, r.OpaqueV());
    token = std::string(AsStringView(raw));
    return OkStatus();
  }));
  return token;
}

// ReadMlsKey returns the device's MLS signature key (`scheme`) from the unsealed profile at
// `profile_dir`.
inline Result<crypto::SignaturePrivateKey> ReadMlsKey(const std::string& profile_dir,
                                                      crypto::SignatureScheme scheme) {
  CANDOR_ASSIGN_OR_RETURN(auto profile, client::Profile::Open(profile_dir, nullptr));
  std::optional<crypto::SignaturePrivateKey> key;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto raw, profile->GetSecret(tx, "mls_key"));
    if (!raw) return MakeError(Errc::kNotFound, "no MLS key in " + profile_dir);
    CANDOR_ASSIGN_OR_RETURN(crypto::SignaturePrivateKey k,
                            crypto::SignaturePrivateKey::FromBytes(scheme, raw->view()));
    key.emplace(std::move(k));
    return OkStatus();
  }));
  return std::move(*key);
}

}  // namespace candor::bench
