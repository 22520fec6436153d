#include "candor/tlog/note.h"

#include <gtest/gtest.h>

#include "candor/tlog/cosignature.h"

namespace candor::tlog {
namespace {

struct Keys {
  Ed25519NoteSigner log{"example.com/log", crypto::Ed25519PrivateKey::Generate()};
  Cosigner witness{"witness.example/w1", crypto::Ed25519PrivateKey::Generate()};
};

std::string SignedNote(const Keys& k, const std::string& text) {
  Note n;
  n.text = text;
  n.signatures.push_back({k.log.name(), k.log.key_id(), k.log.Sign(text)});
  n.signatures.push_back(k.witness.Cosign(text, 1700000000));
  return n.Format();
}

TEST(NoteTest, SignOpenRoundTripWithCosignature) {
  Keys k;
  const std::string msg = SignedNote(k, "hello\nworld\n");
  auto lv = ParseVerifierKey(k.log.VerifierKey());
  auto wv = ParseVerifierKey(k.witness.VerifierKey());
  ASSERT_TRUE(lv.ok() && wv.ok());
  const NoteVerifier* both[] = {lv->get(), wv->get()};
  auto opened = OpenNote(msg, both);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->verified.size(), 2u);
  EXPECT_EQ(*CosignatureTimestamp(opened->verified[1].signature), 1700000000u);
  // Only the log key known: the cosignature is ignored, not an error.
  const NoteVerifier* log_only[] = {lv->get()};
  auto partial = OpenNote(msg, log_only);
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->verified.size(), 1u);
  EXPECT_EQ(partial->unverified.size(), 1u);
}

TEST(NoteTest, TamperedTextOrUnknownKeysFail) {
  Keys k;
  std::string msg = SignedNote(k, "hello\n");
  auto lv = ParseVerifierKey(k.log.VerifierKey());
  const NoteVerifier* v[] = {lv->get()};
  msg[0] = 'j';
  EXPECT_EQ(OpenNote(msg, v).error().code, Errc::kVerifyFailed);
  Keys other;
  auto ov = ParseVerifierKey(other.log.VerifierKey());
  const NoteVerifier* unknown[] = {ov->get()};
  EXPECT_EQ(OpenNote(SignedNote(k, "x\n"), unknown).error().code, Errc::kVerifyFailed);
}

TEST(NoteTest, ParseRejectsMalformedNotes) {
  const std::string sig = "\xE2\x80\x94 k AAAAAAA=\n";
  for (const std::string& bad : std::vector<std::string>{
           "no signatures\n", "text\n\n", "text\n\nnot a sig\n",
           "text\n\n" + sig.substr(0, sig.size() - 1), "text\n\n\xE2\x80\x94 k\n",
           "text\n\n\xE2\x80\x94 k+x AAAAAAA=\n", "text\n\n\xE2\x80\x94 k AAAA\n",
           "te\x01xt\n\n" + sig, "te\xffxt\n\n" + sig, "text\n\n\xE2\x80\x94  AAAAAAA=\n",
           "text\n\n" + sig + "\n"}) {
    auto r = ParseNote(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_EQ(r.error().code, Errc::kMalformed);
  }
  auto ok = ParseNote("text\n\n" + sig);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->text, "text\n");
  // The last blank line separates text from signatures, so the text may hold blank lines.
  auto blank = ParseNote("a\n\nb\n\n" + sig);
  ASSERT_TRUE(blank.ok());
  EXPECT_EQ(blank->text, "a\n\nb\n");
}

TEST(NoteTest, RejectsDuplicateSignaturesFromOneKey) {
  Keys k;
  Note n;
  n.text = "t\n";
  n.signatures = {{k.log.name(), k.log.key_id(), k.log.Sign(n.text)},
                  {k.log.name(), k.log.key_id(), k.log.Sign(n.text)}};
  auto lv = ParseVerifierKey(k.log.VerifierKey());
  const NoteVerifier* v[] = {lv->get()};
  EXPECT_EQ(OpenNote(n.Format(), v).error().code, Errc::kMalformed);
}

TEST(NoteTest, KeysRoundTripAndRejectBadIds) {
  Keys k;
  SecretBytes skey = k.log.SecretKey();
  auto parsed = ParseSecretKey(AsStringView(skey.view()));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->name, "example.com/log");
  EXPECT_EQ(parsed->type, kSigTypeEd25519);
  EXPECT_EQ(Ed25519NoteSigner(parsed->name, std::move(parsed->key)).VerifierKey(),
            k.log.VerifierKey());
  std::string vkey = k.log.VerifierKey();
  vkey[vkey.find('+') + 1] ^= 1;
  EXPECT_EQ(ParseVerifierKey(vkey).error().code, Errc::kMalformed);
  EXPECT_FALSE(ParseVerifierKey("name+00000000").ok());
  EXPECT_FALSE(ParseVerifierKey("na me+00000000+AQ==").ok());
}

}  // namespace
}  // namespace candor::tlog
