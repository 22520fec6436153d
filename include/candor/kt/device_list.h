// device_list.h: Candor's value model for the key-transparency directory
// (docs/formats/kt-value.md). The label is a user's primary identity; the value of every version is
// a DeviceList: the user's devices (each with its signature key and its MLS credential key) signed
// by the user's account key. Adding or removing a device is a new version. Because only the account
// key can sign a list, a device the operator adds by itself (a "ghost") appears as a version whose
// list does not verify — the owner's monitor reports it, and contacts refuse it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/crypto/signature.h"

namespace candor::kt {

// Device is one of the user's devices.
struct Device {
  Bytes device_id;  // 1..255 bytes, unique in the list
  crypto::SignatureScheme signature_scheme = crypto::SignatureScheme::kEd25519;
  Bytes signature_key;            // the device's own signature key
  uint16_t mls_cipher_suite = 0;  // RFC 9420 cipher suite of its MLS credential
  Bytes mls_signature_key;        // the signature key of its MLS BasicCredential
  uint64_t added_at = 0;          // milliseconds since the Unix epoch

  // Decode reads a Device; kMalformed names the field on bad input.
  static Result<Device> Decode(tls::Reader& r);
  // Encode writes the Device.
  void Encode(tls::Writer& w) const;
  bool operator==(const Device&) const = default;
};

// DeviceListTBS is what the account key signs.
struct DeviceListTBS {
  crypto::SignatureScheme account_scheme = crypto::SignatureScheme::kEd25519;
  Bytes account_key;
  uint64_t sequence = 0;        // strictly increases with every list the account signs
  std::vector<Device> devices;  // sorted by device_id

  // Decode reads a DeviceListTBS; kMalformed names the field on bad input.
  static Result<DeviceListTBS> Decode(tls::Reader& r);
  // Encode writes the DeviceListTBS.
  void Encode(tls::Writer& w) const;
  bool operator==(const DeviceListTBS&) const = default;
};

// DeviceList is the signed list, the bytes stored as UpdateValue.value.
struct DeviceList {
  DeviceListTBS list;
  Bytes signature;

  // Decode reads a DeviceList; kMalformed names the field on bad input.
  static Result<DeviceList> Decode(tls::Reader& r);
  // Encode writes the DeviceList.
  void Encode(tls::Writer& w) const;
  bool operator==(const DeviceList&) const = default;
};

// SignDeviceList signs `list` for `label` with the account key (whose scheme and public key must
// match list.account_scheme / list.account_key: kInvalidArgument otherwise, as are unsorted or
// duplicate device ids).
Result<DeviceList> SignDeviceList(const crypto::SignaturePrivateKey& account, ByteView label,
                                  DeviceListTBS list);

// VerifyDeviceList checks a list published under `label`: the signature under its account key,
// sorted unique device ids, and — given the previous version's list — the same account key and a
// greater sequence number. Every failure is kVerifyFailed with the reason.
Status VerifyDeviceList(ByteView label, const DeviceList& list,
                        const std::optional<DeviceList>& previous);

// DeviceAuthMessage is what a device signs with its own key to sign in to the server
// (docs/formats/messaging-api.md §2): "Candor auth v1" || opaque handle<0..255> ||
// opaque device_id<0..255> || challenge. Handles and device ids are at most 64 bytes.
Bytes DeviceAuthMessage(std::string_view handle, std::string_view device_id, ByteView challenge);

}  // namespace candor::kt
