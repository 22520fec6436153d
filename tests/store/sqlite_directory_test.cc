// The KEYTRANS directory over its embedded SQLite store: what was published survives closing and
// reopening the file, and a client that verified heads before the restart keeps verifying after.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "candor/kt/directory.h"
#include "candor/kt/verifier.h"
#include "candor/store/sqlite_directory_store.h"

namespace candor::store {
namespace {

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

TEST(SqliteDirectoryTest, DirectorySurvivesRestart) {
  const std::string path =
      ::testing::TempDir() + "candor_kt_dir_" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  auto sig = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  auto vrf = crypto::VrfPrivateKey::Generate(crypto::VrfSuite::kEcvrfEdwards25519Sha512Tai);
  kt::Configuration config;
  config.ciphersuite = kt::CipherSuite::KT_128_SHA256_Ed25519;
  config.signature_public_key = sig.public_key();
  config.vrf_public_key = vrf.public_key();
  config.max_ahead = 5'000;
  config.max_behind = 60'000;
  config.reasonable_monitoring_window = 1'000;
  uint64_t now = 1'700'000'000'000;
  auto open = [&]() {
    auto store = SqliteDirectoryStore::Open(path);
    EXPECT_TRUE(store.ok()) << store.error().message;
    auto s = crypto::SignaturePrivateKey::FromBytes(sig.scheme(), sig.private_key());
    auto v = crypto::VrfPrivateKey::FromBytes(vrf.suite(), vrf.private_key());
    auto d = kt::Directory::Open(
        config, std::move(*s), std::move(*v), **store, [&now] { return now; },
        [](ByteView, ByteView) { return OkStatus(); });
    EXPECT_TRUE(d.ok()) << d.error().message;
    return std::make_pair(std::move(*store), std::move(*d));
  };
  auto verifier = kt::Verifier::Create(config, [&now] { return now; });
  ASSERT_TRUE(verifier.ok());
  kt::ClientState carol;
  kt::HashValue root_before{};
  uint64_t size_before = 0;
  {
    auto [store, dir] = open();
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(dir->SubmitUpdate(kt::UpdateRequest{std::nullopt,
                                                      B("user" + std::to_string(i)),
                                                      std::nullopt,
                                                      {kt::LabelValue{B("keys")}}})
                      .ok());
      if (i % 4 == 3) {
        now += 100;
        ASSERT_TRUE(dir->Publish().ok());
      }
    }
    kt::SearchRequest req = verifier->MakeSearch(carol, B("user7"), std::nullopt);
    auto resp = dir->Search(req);
    ASSERT_TRUE(resp.ok());
    auto found = verifier->VerifySearch(carol, req, *resp);
    ASSERT_TRUE(found.ok()) << found.error().message;
    carol = found->state;
    root_before = dir->Head()->second;
    size_before = dir->size();
  }
  auto [store, dir] = open();
  EXPECT_EQ(dir->size(), size_before);
  EXPECT_EQ(dir->Head()->second, root_before);
  now += 100;
  ASSERT_TRUE(dir->Publish().ok());
  kt::SearchRequest req = verifier->MakeSearch(carol, B("user13"), std::nullopt);
  auto resp = dir->Search(req);
  ASSERT_TRUE(resp.ok());
  auto found = verifier->VerifySearch(carol, req, *resp);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->value.value, B("keys"));
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

}  // namespace
}  // namespace candor::store
