// The group state machine at n members (suite 1): committing a self-update (new path, HPKE to
// every other member), processing that commit as another member, and joining from a Welcome
// (tree validation included). The group is built once per n by a single Commit of n - 1 Adds.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "candor/crypto/signature.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_package_ops.h"

namespace candor::mls {
namespace {

struct Bundle {
  KeyPackage key_package;
  KeyPackagePrivateKeys keys;
};

Bundle MakeBundle(const CipherSuiteParams& cs) {
  auto signer = crypto::SignaturePrivateKey::Generate(cs.signature);
  auto kp = CreateKeyPackage(cs, signer, Credential{CredentialType::basic, {'m'}, {}},
                             Lifetime{0, std::numeric_limits<uint64_t>::max()});
  return Bundle{kp->key_package,
                {std::move(kp->init_private_key), std::move(kp->encryption_private_key),
                 SecretBytes(signer.private_key())}};
}

// Fixture is a group of n: the creator's state, the last member's state, the Welcome and the
// last member's KeyPackage and keys.
struct Fixture {
  std::optional<GroupState> creator;
  std::optional<GroupState> last;
  std::optional<Welcome> welcome;
  Bundle last_bundle;
};

Fixture& GetFixture(int64_t n) {
  static std::map<int64_t, std::unique_ptr<Fixture>> fixtures;
  auto& f = fixtures[n];
  if (f) return *f;
  f = std::make_unique<Fixture>();
  const auto* cs = *GetCipherSuiteParams(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
  Bundle creator = MakeBundle(*cs);
  auto state = GroupState::CreateGroup(creator.key_package, creator.keys, Bytes{'b'});
  std::vector<Proposal> adds;
  for (int64_t i = 1; i < n; ++i) {
    f->last_bundle = MakeBundle(*cs);
    adds.push_back(Proposal{Add{f->last_bundle.key_package}});
  }
  auto result = state->Commit(adds);
  f->welcome = std::get<Welcome>(result->welcome->message);
  f->creator.emplace(std::move(result->next));
  f->last.emplace(*GroupState::JoinFromWelcome(f->last_bundle.key_package, f->last_bundle.keys,
                                               *f->welcome, std::nullopt, {}));
  return *f;
}

void BM_CommitSelfUpdate(benchmark::State& st) {
  Fixture& f = GetFixture(st.range(0));
  for (auto _ : st) {
    auto r = f.creator->Commit({});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_CommitSelfUpdate)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

void BM_HandleCommit(benchmark::State& st) {
  Fixture& f = GetFixture(st.range(0));
  auto r = f.creator->Commit({});
  for (auto _ : st) {
    auto next = f.last->HandleCommit(r->commit);
    benchmark::DoNotOptimize(next);
  }
}
BENCHMARK(BM_HandleCommit)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

void BM_JoinFromWelcome(benchmark::State& st) {
  Fixture& f = GetFixture(st.range(0));
  for (auto _ : st) {
    auto s = GroupState::JoinFromWelcome(f.last_bundle.key_package, f.last_bundle.keys, *f.welcome,
                                         std::nullopt, {});
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_JoinFromWelcome)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace candor::mls
