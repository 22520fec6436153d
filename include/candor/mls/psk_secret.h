// psk_secret.h: the pre-shared key input of the key schedule (RFC 9420 §8.4). Takes each
// PreSharedKeyID already TLS-encoded (the struct lives with the wire structs).
#pragma once

#include <span>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/mls/cipher_suite.h"

namespace candor::mls {

// PskInput is one PSK of a Commit or GroupSecrets, in the listed order: `id` is the encoded
// PreSharedKeyID and `psk` the PSK value it names. The views must remain live during the call.
struct PskInput {
  ByteView id;
  ByteView psk;
};

// PskSecret returns psk_secret_[n] of RFC 9420 §8.4: for each PSK i, psk_input_[i] =
// ExpandWithLabel(KDF.Extract(0, psk_[i]), "derived psk", PSKLabel{id, i, n}, Nh), chained by
// psk_secret_[i+1] = KDF.Extract(psk_input_[i], psk_secret_[i]) from Nh zero bytes. With no PSKs
// the result is Nh zero bytes. Returns kInvalidArgument for more than 65535 PSKs.
Result<SecretBytes> PskSecret(const CipherSuiteParams& cs, std::span<const PskInput> psks);

}  // namespace candor::mls
