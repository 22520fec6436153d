// release_state_keys.h: the fixed log and witness keys that release_state_fuzz verifies state
// checkpoints with, shared with make_seeds.cc so that its seeds hold checkpoints that verify.
#pragma once

#include "candor/base/bytes.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/note.h"

namespace candor::fuzz {

inline crypto::Ed25519PrivateKey FixedKey(uint8_t fill) {
  Bytes seed(32, fill);
  return *crypto::Ed25519PrivateKey::FromSeed(seed);
}

inline tlog::Ed25519NoteSigner ReleaseStateLogKey() {
  return tlog::Ed25519NoteSigner("candor.test/releases", FixedKey(1));
}

inline tlog::Cosigner ReleaseStateWitness() { return tlog::Cosigner("w1.test", FixedKey(2)); }

}  // namespace candor::fuzz
