#include "candor/mls/psk_secret.h"

#include <cstdint>
#include <limits>

#include "candor/base/tls.h"

namespace candor::mls {

// RFC 9420 §8.4: struct { PreSharedKeyID id; uint16 index; uint16 count; } PSKLabel;
Result<SecretBytes> PskSecret(const CipherSuiteParams& cs, std::span<const PskInput> psks) {
  if (psks.size() > std::numeric_limits<uint16_t>::max()) {
    return MakeError(Errc::kInvalidArgument, "PskSecret: more than 65535 PSKs");
  }
  const auto count = static_cast<uint16_t>(psks.size());
  SecretBytes psk_secret(cs.nh);  // psk_secret_[0] = 0
  for (uint16_t i = 0; i < count; ++i) {
    tls::Writer label;
    label.Raw(psks[i].id);
    label.U16(i);
    label.U16(count);
    SecretBytes extracted = KdfExtract(cs, {}, psks[i].psk);
    CANDOR_ASSIGN_OR_RETURN(SecretBytes input, ExpandWithLabel(cs, extracted.view(), "derived psk",
                                                               label.bytes(), cs.nh));
    psk_secret = KdfExtract(cs, input.view(), psk_secret.view());
  }
  return psk_secret;
}

}  // namespace candor::mls
