// kt_wire_fuzz: every KEYTRANS wire decoder (tree_head.h, update_value.h, messages.h) must never
// crash; a decode either fails with kMalformed and a message, or succeeds, re-encodes to exactly
// the input and decodes again to an equal value.
//
// Selector 30 checks the P-256 signature conversion DER <-> r||s instead.
//
// Input: byte 0 selects the struct, byte 1 the context (deployment mode = 1 + b % 3, VRF.Np = 80
// or 81 by (b / 3) % 2, and for SearchResponse whether the request had a version, (b / 6) % 2);
// the rest is the encoding.
#include "candor/crypto/signature.h"
#include "candor/kt/messages.h"
#include "candor/kt/tree_head.h"
#include "candor/kt/update_value.h"
#include "fuzz/fuzz_target.h"

namespace candor::kt {
namespace {

template <class T, class... Context>
void CheckRoundTrip(ByteView input, const Context&... context) {
  Result<T> decoded = DecodeExactIn<T>(input, context...);
  if (!decoded.ok()) {
    FUZZ_REQUIRE(decoded.error().code == Errc::kMalformed);
    FUZZ_REQUIRE(!decoded.error().message.empty());
    return;
  }
  const Bytes again = EncodeIn(*decoded, context...);
  FUZZ_REQUIRE(fuzz::SameBytes(again, input));
  Result<T> twice = DecodeExactIn<T>(again, context...);
  FUZZ_REQUIRE(twice.ok() && *twice == *decoded);
}

void CheckSearchResponse(ByteView input, const WireContext& ctx, bool request_had_version) {
  auto decoded = DecodeExactIn<SearchResponse>(input, ctx, request_had_version);
  if (!decoded.ok()) {
    FUZZ_REQUIRE(decoded.error().code == Errc::kMalformed);
    FUZZ_REQUIRE(!decoded.error().message.empty());
    return;
  }
  FUZZ_REQUIRE(decoded->version.has_value() == !request_had_version);
  const Bytes again = EncodeIn(*decoded, ctx);
  FUZZ_REQUIRE(fuzz::SameBytes(again, input));
  auto twice = DecodeExactIn<SearchResponse>(again, ctx, request_had_version);
  FUZZ_REQUIRE(twice.ok() && *twice == *decoded);
}

// CheckEcdsaRaw: the P-256 DER <-> r||s conversion KT signatures use. Accepted DER converts to
// 64 bytes that convert back to exactly the input (strict DER only).
void CheckEcdsaRaw(ByteView input) {
  constexpr auto kP256 = crypto::SignatureScheme::kEcdsaSecp256r1Sha256;
  auto raw = crypto::EcdsaSignatureToRaw(kP256, input);
  if (!raw.ok()) {
    FUZZ_REQUIRE(raw.error().code == Errc::kMalformed);
    return;
  }
  FUZZ_REQUIRE(raw->size() == 64);
  auto der = crypto::EcdsaSignatureFromRaw(kP256, *raw);
  FUZZ_REQUIRE(der.ok() && fuzz::SameBytes(*der, input));
}

void Run(uint8_t selector, uint8_t context, ByteView in) {
  const auto mode = static_cast<DeploymentMode>(1 + context % 3);
  const WireContext ctx{mode, (context / 3) % 2 == 0 ? size_t{80} : size_t{81}};
  const bool request_had_version = (context / 6) % 2 == 1;
  switch (selector % 31) {
    case 0:
      return CheckRoundTrip<Configuration>(in);
    case 1:
      return CheckRoundTrip<TreeHead>(in);
    case 2:
      return CheckRoundTrip<TreeHeadTBS>(in);
    case 3:
      return CheckRoundTrip<AuditorTreeHead>(in);
    case 4:
      return CheckRoundTrip<AuditorTreeHeadTBS>(in);
    case 5:
      return CheckRoundTrip<FullTreeHead>(in, mode);
    case 6:
      return CheckRoundTrip<UpdateValue>(in, mode);
    case 7:
      return CheckRoundTrip<UpdateTBS>(in);
    case 8:
      return CheckRoundTrip<CommitmentValue>(in, mode);
    case 9:
      return CheckRoundTrip<BinaryLadderStep>(in, ctx);
    case 10:
      return CheckRoundTrip<SearchRequest>(in);
    case 11:
      return CheckSearchResponse(in, ctx, request_had_version);
    case 12:
      return CheckRoundTrip<MonitorMapEntry>(in);
    case 13:
      return CheckRoundTrip<ContactMonitorRequest>(in);
    case 14:
      return CheckRoundTrip<ContactMonitorResponse>(in, ctx);
    case 15:
      return CheckRoundTrip<OwnerInitRequest>(in);
    case 16:
      return CheckRoundTrip<OwnerInitResponse>(in, ctx);
    case 17:
      return CheckRoundTrip<OwnerMonitorRequest>(in);
    case 18:
      return CheckRoundTrip<OwnerMonitorResponse>(in, ctx);
    case 19:
      return CheckRoundTrip<LabelValue>(in);
    case 20:
      return CheckRoundTrip<UpdateRequest>(in);
    case 21:
      return CheckRoundTrip<UpdateInfo>(in, ctx);
    case 22:
      return CheckRoundTrip<UpdateResponse>(in, ctx);
    case 23:
      return CheckRoundTrip<ManagerUpdateRequest>(in, ctx);
    case 24:
      return CheckRoundTrip<DistinguishedRequest>(in);
    case 25:
      return CheckRoundTrip<DistinguishedResponse>(in, ctx);
    case 26:
      return CheckRoundTrip<DistinguishedHead>(in);
    case 27:
      return CheckRoundTrip<Credential>(in, ctx);
    case 28:
      return CheckRoundTrip<CredentialUpdate>(in);
    case 29:
      return CheckRoundTrip<AuditorUpdate>(in);
    default:
      return CheckEcdsaRaw(in);
  }
}

}  // namespace
}  // namespace candor::kt

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const candor::ByteView input(data, size);
  candor::kt::Run(input[0], input[1], input.subspan(2));
  return 0;
}
