// vkey_fuzz: ParseVerifierKey and ParseSecretKey must never crash. A parsed vkey re-formats to
// the exact input; a parsed secret key re-formats to the exact input, and what it signs verifies
// under the vkey formatted from it.
#include <algorithm>
#include <string>
#include <utility>

#include "candor/base/encoding.h"
#include "candor/crypto/ed25519.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/note.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::Bytes;
using candor::Errc;
using candor::fuzz::SameBytes;
namespace tlog = candor::tlog;

constexpr std::string_view kText = "candor vkey fuzz\n";

std::string Hex8(uint32_t v) {
  const uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                        static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return candor::HexEncode(candor::ByteView(b, 4));
}

void CheckVerifierKey(std::string_view text) {
  auto v = tlog::ParseVerifierKey(text);
  if (!v.ok()) {
    FUZZ_REQUIRE(v.error().code == Errc::kMalformed);
    return;
  }
  const std::string& name = (*v)->name();
  FUZZ_REQUIRE(tlog::IsValidKeyName(name));
  const std::string prefix = name + "+" + Hex8((*v)->key_id()) + "+";
  FUZZ_REQUIRE(text.substr(0, prefix.size()) == prefix);

  auto material = candor::Base64Decode(text.substr(prefix.size()));
  FUZZ_REQUIRE(material.ok() && material->size() == 33);
  const uint8_t type = (*material)[0];
  FUZZ_REQUIRE(type == tlog::kSigTypeEd25519 || type == tlog::kSigTypeCosignatureV1);
  candor::crypto::Ed25519PublicKey pub;
  std::copy(material->begin() + 1, material->end(), pub.begin());
  FUZZ_REQUIRE(tlog::FormatVerifierKey(name, type, pub) == text);
  FUZZ_REQUIRE(tlog::KeyId(name, type, pub) == (*v)->key_id());

  // Nobody here holds the key, so no signature made up from the input can verify.
  const Bytes junk(text.begin(), text.end());
  const candor::Status st = (*v)->Verify(kText, junk);
  FUZZ_REQUIRE(!st.ok() && st.error().code == Errc::kVerifyFailed);
}

void CheckSecretKey(std::string_view text) {
  auto sk = tlog::ParseSecretKey(text);
  if (!sk.ok()) {
    FUZZ_REQUIRE(sk.error().code == Errc::kMalformed);
    return;
  }
  FUZZ_REQUIRE(tlog::IsValidKeyName(sk->name));
  FUZZ_REQUIRE(sk->type == tlog::kSigTypeEd25519 || sk->type == tlog::kSigTypeCosignatureV1);
  const candor::SecretBytes formatted = tlog::FormatSecretKey(sk->name, sk->type, sk->key);
  FUZZ_REQUIRE(SameBytes(formatted.view(), candor::AsBytes(text)));

  const std::string vkey = tlog::FormatVerifierKey(sk->name, sk->type, sk->key.public_key());
  auto v = tlog::ParseVerifierKey(vkey);
  FUZZ_REQUIRE(v.ok() && (*v)->name() == sk->name);
  if (sk->type == tlog::kSigTypeEd25519) {
    const tlog::Ed25519NoteSigner signer(sk->name, std::move(sk->key));
    FUZZ_REQUIRE(signer.key_id() == (*v)->key_id());
    FUZZ_REQUIRE(signer.VerifierKey() == vkey);
    FUZZ_REQUIRE((*v)->Verify(kText, signer.Sign(kText)).ok());
  } else {
    const tlog::Cosigner cosigner(sk->name, std::move(sk->key));
    FUZZ_REQUIRE(cosigner.key_id() == (*v)->key_id());
    FUZZ_REQUIRE(cosigner.VerifierKey() == vkey);
    FUZZ_REQUIRE((*v)->Verify(kText, cosigner.Cosign(kText, 1767139200).signature).ok());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = candor::fuzz::AsText(data, size);
  CheckVerifierKey(text);
  CheckSecretKey(text);
  return 0;
}
