// secret_tree.h: the MLS secret tree and its per-leaf hash ratchets (RFC 9420 §9), and the
// sender-data key and nonce (RFC 9420 §6.3.2). Keys are derived lazily and each secret is
// deleted as soon as it has been used (forward secrecy, RFC 9420 §9.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/cipher_suite.h"

namespace candor::mls {

// RatchetType picks one of the two hash ratchets of a leaf (RFC 9420 §9.1): handshake for
// proposals and commits, application for application data.
enum class RatchetType : uint8_t { kHandshake, kApplication };

// KeyAndNonce is the AEAD key (Nk bytes) and nonce (Nn bytes) of one ratchet generation.
struct KeyAndNonce {
  uint32_t generation = 0;
  SecretBytes key;
  SecretBytes nonce;
};

// SecretTreeLimits bounds what a receiver keeps for out-of-order messages (RFC 9420 §9.2).
// A message may be at most `max_forward_distance` generations ahead of the next expected one
// (as in OpenMLS and mlspp: 1000), and at most `max_retained_keys` skipped keys are kept per
// ratchet; when there are more, the oldest are deleted first.
struct SecretTreeLimits {
  uint32_t max_forward_distance = 1000;
  uint32_t max_retained_keys = 32;
};

// SecretTree holds the secret tree of one epoch over `num_leaves` leaves, rooted at the
// epoch's encryption_secret. Leaf i is tree node 2i (RFC 9420 §4.2, array representation;
// the node math is a local helper, independent of tree_math.h). Move-only; every secret is wiped
// when deleted. Not thread-safe: the mutating calls need external synchronisation. A call that
// fails leaves the tree exactly as it was.
class SecretTree {
 public:
  // Create starts the tree. `cs` must outlive the tree (those of GetCipherSuiteParams are
  // static). Returns kInvalidArgument if `encryption_secret` is not Nh bytes or `num_leaves` is
  // 0 or above 2^31.
  static Result<SecretTree> Create(const CipherSuiteParams& cs, ByteView encryption_secret,
                                   uint32_t num_leaves, SecretTreeLimits limits = {});

  SecretTree(SecretTree&&) noexcept = default;
  SecretTree& operator=(SecretTree&&) noexcept = default;
  ~SecretTree() = default;

  uint32_t num_leaves() const { return num_leaves_; }

  // NextSendKey returns the key and nonce of the next generation of `leaf`'s `type` ratchet
  // (the sender's own leaf) and advances the ratchet past it. Returns kInvalidArgument if
  // `leaf` >= num_leaves() or the ratchet is exhausted (generation 2^32 - 1 was used).
  Result<KeyAndNonce> NextSendKey(uint32_t leaf, RatchetType type);

  // ReceiveKey returns the key and nonce of `generation` of `leaf`'s `type` ratchet and deletes
  // them: asking for the same generation again is kVerifyFailed. Generations skipped on the way
  // are kept within SecretTreeLimits. Returns kVerifyFailed if the key was used or is no longer
  // kept, or if `generation` is more than max_forward_distance ahead; kInvalidArgument if
  // `leaf` >= num_leaves(). To delete a key only once a message has decrypted, call
  // PeekReceiveKey, open the message, then ReceiveKey.
  Result<KeyAndNonce> ReceiveKey(uint32_t leaf, RatchetType type, uint32_t generation);

  // PeekReceiveKey returns what ReceiveKey would return, with the same errors, and changes
  // nothing (the tree keeps the key until ReceiveKey is called).
  Result<KeyAndNonce> PeekReceiveKey(uint32_t leaf, RatchetType type, uint32_t generation) const;

  // num_retained_keys returns how many skipped keys `leaf`'s `type` ratchet holds (for tests
  // and monitoring).
  size_t num_retained_keys(uint32_t leaf, RatchetType type) const;

  // Encode writes the tree's state (secrets included: use a tls::Writer::ForSecrets). Decode
  // reads it back for `cs`, checking every size and bound; kMalformed names the field.
  void Encode(tls::Writer& w) const;
  static Result<SecretTree> Decode(const CipherSuiteParams& cs, tls::Reader& r);

 private:
  struct HashRatchet {
    SecretBytes secret;            // the ratchet secret of generation next_generation
    uint64_t next_generation = 0;  // 2^32 once exhausted
    std::map<uint32_t, KeyAndNonce> retained;
  };
  struct LeafRatchets {
    HashRatchet handshake;
    HashRatchet application;
  };

  // LeafDerivation is the result of walking from the nearest held ancestor (`start`) down to a
  // leaf: the off-path children to keep and the leaf's two new ratchets.
  struct LeafDerivation {
    uint64_t start = 0;
    std::vector<std::pair<uint64_t, SecretBytes>> siblings;
    LeafRatchets ratchets;
  };
  // ReceivePlan is everything ReceiveKey changes, computed before anything is changed.
  struct ReceivePlan {
    std::optional<LeafDerivation> derived;  // set if the leaf had no ratchets yet
    KeyAndNonce out;
    bool from_retained = false;        // out was a kept skipped key: delete it
    SecretBytes next_secret;           // otherwise: the ratchet's new secret
    std::vector<KeyAndNonce> skipped;  // and the skipped keys to keep
  };

  SecretTree(const CipherSuiteParams& cs, uint32_t num_leaves, SecretTreeLimits limits)
      : cs_(&cs), num_leaves_(num_leaves), limits_(limits) {}

  static const HashRatchet& Select(const LeafRatchets& l, RatchetType t) {
    return t == RatchetType::kHandshake ? l.handshake : l.application;
  }
  static HashRatchet& Select(LeafRatchets& l, RatchetType t) {
    return t == RatchetType::kHandshake ? l.handshake : l.application;
  }
  // DeriveLeaf derives the ratchets of a leaf that has none yet, changing nothing.
  Result<LeafDerivation> DeriveLeaf(uint32_t leaf) const;
  // Commit stores a derivation (cannot fail) and returns the leaf's ratchets.
  LeafRatchets& Commit(uint32_t leaf, LeafDerivation&& d);
  Result<ReceivePlan> PlanReceive(uint32_t leaf, RatchetType type, uint32_t generation) const;
  Result<KeyAndNonce> KeyNonceAt(ByteView secret, uint32_t generation) const;

  const CipherSuiteParams* cs_;  // static storage (GetCipherSuiteParams)
  uint32_t num_leaves_;
  SecretTreeLimits limits_;
  std::map<uint64_t, SecretBytes> nodes_;    // node index -> tree secret still held
  std::map<uint32_t, LeafRatchets> leaves_;  // leaf index -> its two ratchets
};

// SenderDataKey and SenderDataNonce return ExpandWithLabel(sender_data_secret, "key" / "nonce",
// ciphertext_sample, AEAD.Nk / AEAD.Nn), where ciphertext_sample is the first Nh bytes of the
// PrivateMessage `ciphertext` (all of it if shorter) (RFC 9420 §6.3.2). Return kInvalidArgument
// if `sender_data_secret` is shorter than Nh.
Result<SecretBytes> SenderDataKey(const CipherSuiteParams& cs, ByteView sender_data_secret,
                                  ByteView ciphertext);
Result<SecretBytes> SenderDataNonce(const CipherSuiteParams& cs, ByteView sender_data_secret,
                                    ByteView ciphertext);

}  // namespace candor::mls
