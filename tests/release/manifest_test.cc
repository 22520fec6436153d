// The release manifest: its text is canonical (parse then render gives the same bytes), every
// field is checked, and only the release key's signature opens it.
#include "candor/release/manifest.h"

#include <gtest/gtest.h>

#include "candor/crypto/ed25519.h"

namespace candor::release {
namespace {

ReleaseManifest Sample() {
  ReleaseManifest m;
  m.product = "candor";
  m.version = "0.19.0-1";
  m.platform = "debian12-amd64";
  m.commit = "1061244f0c1a2b3c4d5e6f708192a3b4c5d6e7f8";
  m.recipe = "cmake-preset-release";
  Artifact a{"candor_0.19.0-1_amd64.deb", {}};
  a.sha256.fill(0xab);
  Artifact b{"candord", {}};
  b.sha256.fill(0x01);
  m.artifacts = {a, b};
  return m;
}

TEST(ManifestTest, TextIsCanonicalAndParsesBack) {
  const ReleaseManifest m = Sample();
  const std::string text = m.Text();
  EXPECT_EQ(text.substr(0, 18), "candor.release/v1\n");
  auto back = ParseManifest(text);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(back->Text(), text);
  ASSERT_NE(m.Find("candord"), nullptr);
  EXPECT_EQ(m.Find("candor"), nullptr);
}

TEST(ManifestTest, EveryFieldIsChecked) {
  auto bad = [](auto edit) {
    ReleaseManifest m = Sample();
    edit(m);
    return m.Check();
  };
  EXPECT_FALSE(bad([](ReleaseManifest& m) { m.product = "Candor"; }).ok());
  EXPECT_FALSE(bad([](ReleaseManifest& m) { m.version = "1.0 beta"; }).ok());
  EXPECT_FALSE(bad([](ReleaseManifest& m) { m.platform = ""; }).ok());
  EXPECT_FALSE(bad([](ReleaseManifest& m) { m.commit = "1061244"; }).ok());
  EXPECT_FALSE(bad([](ReleaseManifest& m) { m.commit[0] = 'A'; }).ok());
  EXPECT_FALSE(bad([](ReleaseManifest& m) { m.recipe = "two words"; }).ok());
  EXPECT_FALSE(bad([](ReleaseManifest& m) { m.artifacts.clear(); }).ok());
  EXPECT_FALSE(bad([](ReleaseManifest& m) { m.artifacts[1].name = "../candord"; }).ok());
  EXPECT_FALSE(bad([](ReleaseManifest& m) { std::swap(m.artifacts[0], m.artifacts[1]); }).ok());
  EXPECT_FALSE(bad([](ReleaseManifest& m) { m.artifacts[1].name = m.artifacts[0].name; }).ok());
  EXPECT_TRUE(bad([](ReleaseManifest&) {}).ok());
}

TEST(ManifestTest, NonCanonicalTextIsRefused) {
  const std::string text = Sample().Text();
  auto refused = [](const std::string& t) {
    auto m = ParseManifest(t);
    return !m.ok() && m.error().code == Errc::kMalformed;
  };
  EXPECT_TRUE(refused(text.substr(0, text.size() - 1)));        // no final newline
  EXPECT_TRUE(refused("candor.release/v2" + text.substr(17)));  // another format
  EXPECT_TRUE(refused(text + "artifact x\n"));                  // a broken line
  std::string upper = text;
  upper[upper.find("artifact ") + 9] = 'A';  // uppercase hex
  EXPECT_TRUE(refused(upper));
  std::string spaced = text;
  spaced.insert(spaced.find("\nversion"), " ");  // a trailing space
  EXPECT_TRUE(refused(spaced));
  std::string swapped = text;
  const size_t p = swapped.find("product");
  const size_t v = swapped.find("version");
  swapped = swapped.substr(0, p) + swapped.substr(v, swapped.find("platform") - v) +
            swapped.substr(p, v - p) + swapped.substr(swapped.find("platform"));
  EXPECT_TRUE(refused(swapped));  // fields out of order
}

TEST(ManifestTest, OnlyTheReleaseKeyOpensASignedManifest) {
  tlog::Ed25519NoteSigner release("release.candor.example", crypto::Ed25519PrivateKey::Generate());
  tlog::Ed25519NoteSigner other("release.candor.example", crypto::Ed25519PrivateKey::Generate());
  auto verifier = tlog::ParseVerifierKey(release.VerifierKey());
  ASSERT_TRUE(verifier.ok());
  auto note = SignManifest(Sample(), release);
  ASSERT_TRUE(note.ok());
  auto opened = OpenManifest(*note, **verifier);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_EQ(*opened, Sample());

  auto forged = SignManifest(Sample(), other);  // same name, another key
  ASSERT_TRUE(forged.ok());
  auto refused = OpenManifest(*forged, **verifier);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kVerifyFailed);
  EXPECT_NE(refused.error().message.find("not signed by the release key"), std::string::npos);

  // A signed text that is changed after signing no longer verifies.
  std::string altered = *note;
  altered.replace(altered.find("0.19.0-1"), 8, "0.19.0-2");
  EXPECT_FALSE(OpenManifest(altered, **verifier).ok());
}

}  // namespace
}  // namespace candor::release
