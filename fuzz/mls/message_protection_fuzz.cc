// message_protection_fuzz: RFC 9420 §6 message protection (message_protection.h) in suite 1 with
// fixed secrets and signing key. The first byte picks the property:
//   0: the rest, decoded as a PrivateMessage (group_id and epoch forced to the group's), goes
//      to UnprotectPrivate; it must not crash, and on failure the secret tree must be unchanged
//      (a genuine generation-0 message still opens afterwards);
//   1: the rest, decoded as a PublicMessage (group_id and epoch forced), goes to
//      UnprotectPublic; it must not crash;
//   2: the rest is application data, protected with ProtectPrivate (padding from its first
//      byte) and opened with UnprotectPrivate, which must give the same AuthenticatedContent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/framing.h"
#include "candor/mls/message_protection.h"
#include "candor/mls/secret_tree.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::Bytes;
using candor::ByteView;
using candor::Result;
namespace mls = candor::mls;
namespace crypto = candor::crypto;

constexpr uint32_t kNumLeaves = 4;
constexpr uint32_t kSender = 1;

struct Group {
  const mls::CipherSuiteParams& cs;
  crypto::SignaturePrivateKey key;
  mls::GroupContext context;
  Bytes encryption_secret;
  Bytes sender_data_secret;
  Bytes membership_key;
  mls::SignatureKeyLookup lookup;

  Group()
      : cs(Suite1()),
        key(Key()),
        encryption_secret(cs.nh, 0x11),
        sender_data_secret(cs.nh, 0x22),
        membership_key(cs.nh, 0x33) {
    context.cipher_suite = cs.suite;
    context.group_id = {'f', 'u', 'z', 'z'};
    context.epoch = 3;
    context.tree_hash = Bytes(cs.nh, 0x44);
    context.confirmed_transcript_hash = Bytes(cs.nh, 0x55);
    lookup = [this](const mls::Sender& s) -> Result<Bytes> {
      if (s.sender_type == mls::SenderType::member && s.leaf_index < kNumLeaves) {
        return key.public_key();
      }
      return candor::MakeError(candor::Errc::kNotFound, "no such sender");
    };
  }

  static const mls::CipherSuiteParams& Suite1() {
    auto cs =
        mls::GetCipherSuiteParams(mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
    if (!cs.ok()) std::abort();
    return **cs;
  }
  static crypto::SignaturePrivateKey Key() {
    auto k =
        crypto::SignaturePrivateKey::FromBytes(crypto::SignatureScheme::kEd25519, Bytes(32, 0x07));
    if (!k.ok()) std::abort();
    return std::move(*k);
  }

  mls::SecretTree Tree() const {
    auto t = mls::SecretTree::Create(cs, encryption_secret, kNumLeaves);
    if (!t.ok()) std::abort();
    return std::move(*t);
  }

  Result<mls::AuthenticatedContent> Sign(Bytes data) const {
    mls::FramedContent fc;
    fc.group_id = context.group_id;
    fc.epoch = context.epoch;
    fc.sender = mls::Sender{mls::SenderType::member, kSender, 0};
    fc.content = std::move(data);
    return mls::SignFramedContent(cs, mls::WireFormat::mls_private_message, std::move(fc), context,
                                  key);
  }
};

const Group& TheGroup() {
  static const Group* group = new Group();
  return *group;
}

void UnprotectPrivateKeepsTree(const Group& g, ByteView input) {
  auto msg = candor::tls::DecodeExact<mls::PrivateMessage>(input);
  if (!msg.ok()) return;
  msg->group_id = g.context.group_id;
  msg->epoch = g.context.epoch;
  mls::SecretTree tree = g.Tree();
  auto r = mls::UnprotectPrivate(g.cs, *msg, g.context, tree, g.sender_data_secret, g.lookup);
  if (r.ok()) return;
  // Nothing was consumed: a genuine first message of the sender still opens.
  mls::SecretTree send = g.Tree();
  auto ac = g.Sign({'o', 'k'});
  FUZZ_REQUIRE(ac.ok());
  auto genuine = mls::ProtectPrivate(g.cs, *ac, g.context, send, g.sender_data_secret);
  FUZZ_REQUIRE(genuine.ok());
  FUZZ_REQUIRE(
      mls::UnprotectPrivate(g.cs, *genuine, g.context, tree, g.sender_data_secret, g.lookup).ok());
}

void UnprotectPublicNoCrash(const Group& g, ByteView input) {
  auto msg = candor::tls::DecodeExact<mls::PublicMessage>(input);
  if (!msg.ok()) return;
  msg->content.group_id = g.context.group_id;
  msg->content.epoch = g.context.epoch;
  auto r = mls::UnprotectPublic(g.cs, *msg, g.context, g.membership_key, g.lookup);
  FUZZ_REQUIRE(!r.ok() || r->content.sender == msg->content.sender);
}

void ProtectRoundTrip(const Group& g, ByteView input) {
  const size_t padding = input.empty() ? 0 : input[0];
  auto ac = g.Sign(Bytes(input.begin(), input.end()));
  FUZZ_REQUIRE(ac.ok());
  mls::SecretTree send = g.Tree();
  mls::SecretTree recv = g.Tree();
  auto m = mls::ProtectPrivate(g.cs, *ac, g.context, send, g.sender_data_secret, padding);
  FUZZ_REQUIRE(m.ok());
  auto back = mls::UnprotectPrivate(g.cs, *m, g.context, recv, g.sender_data_secret, g.lookup);
  FUZZ_REQUIRE(back.ok() && *back == *ac);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Group& g = TheGroup();
  const ByteView rest(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      UnprotectPrivateKeepsTree(g, rest);
      break;
    case 1:
      UnprotectPublicNoCrash(g, rest);
      break;
    default:
      ProtectRoundTrip(g, rest);
      break;
  }
  return 0;
}
