#include "candor/kt/device_list.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "candor/kt/combined_tree.h"
#include "codec_internal.h"

namespace candor::kt {

namespace {

// kContext separates device-list signatures from every other use of an account key.
constexpr std::string_view kContext = "Candor DeviceList v1";

Bytes SignedBytes(ByteView label, const DeviceListTBS& list) {
  tls::Writer w;
  w.Opaque8(label);
  list.Encode(w);
  const Bytes body = w.Take();
  // The context is the prefix; built as one vector (GCC 12 misreports a range insert into an
  // empty vector as an overflow, -Wstringop-overflow).
  Bytes out(kContext.size() + body.size());
  std::copy(kContext.begin(), kContext.end(), out.begin());
  std::copy(body.begin(), body.end(), out.begin() + static_cast<ptrdiff_t>(kContext.size()));
  return out;
}

Result<Bytes> ReadOwned8(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView v, r.Opaque8(field));
  if (v.empty()) return MakeError(Errc::kMalformed, std::string(field) + ": empty");
  return Bytes(v.begin(), v.end());
}

Result<Bytes> ReadOwned16(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView v, r.Opaque16(field));
  if (v.empty()) return MakeError(Errc::kMalformed, std::string(field) + ": empty");
  return Bytes(v.begin(), v.end());
}

bool SortedUnique(const std::vector<Device>& devices) {
  for (size_t i = 1; i < devices.size(); ++i) {
    if (!(devices[i - 1].device_id < devices[i].device_id)) return false;
  }
  return true;
}

Error Rejected(const std::string& why) { return KtVerifyFailed("device list: " + why); }

}  // namespace

Result<Device> Device::Decode(tls::Reader& r) {
  Device d;
  CANDOR_ASSIGN_OR_RETURN(d.device_id, ReadOwned8(r, "Device.device_id"));
  CANDOR_ASSIGN_OR_RETURN(uint16_t scheme, r.U16("Device.signature_scheme"));
  d.signature_scheme = static_cast<crypto::SignatureScheme>(scheme);
  CANDOR_ASSIGN_OR_RETURN(d.signature_key, ReadOwned16(r, "Device.signature_key"));
  CANDOR_ASSIGN_OR_RETURN(d.mls_cipher_suite, r.U16("Device.mls_cipher_suite"));
  CANDOR_ASSIGN_OR_RETURN(d.mls_signature_key, ReadOwned16(r, "Device.mls_signature_key"));
  CANDOR_ASSIGN_OR_RETURN(d.added_at, r.U64("Device.added_at"));
  return d;
}

void Device::Encode(tls::Writer& w) const {
  w.Opaque8(device_id);
  w.U16(static_cast<uint16_t>(signature_scheme));
  w.Opaque16(signature_key);
  w.U16(mls_cipher_suite);
  w.Opaque16(mls_signature_key);
  w.U64(added_at);
}

Result<DeviceListTBS> DeviceListTBS::Decode(tls::Reader& r) {
  DeviceListTBS l;
  CANDOR_ASSIGN_OR_RETURN(uint16_t scheme, r.U16("DeviceListTBS.account_scheme"));
  l.account_scheme = static_cast<crypto::SignatureScheme>(scheme);
  CANDOR_ASSIGN_OR_RETURN(l.account_key, ReadOwned16(r, "DeviceListTBS.account_key"));
  CANDOR_ASSIGN_OR_RETURN(l.sequence, r.U64("DeviceListTBS.sequence"));
  CANDOR_ASSIGN_OR_RETURN(l.devices, internal::DecodeCounted<Device>(
                                         r, 1, "DeviceListTBS.devices",
                                         [](tls::Reader& in) { return Device::Decode(in); }));
  return l;
}

void DeviceListTBS::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(account_scheme));
  w.Opaque16(account_key);
  w.U64(sequence);
  internal::EncodeCounted(w, 1, devices, [](tls::Writer& out, const Device& d) { d.Encode(out); });
}

Result<DeviceList> DeviceList::Decode(tls::Reader& r) {
  DeviceList l;
  CANDOR_ASSIGN_OR_RETURN(l.list, DeviceListTBS::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(l.signature, ReadOwned16(r, "DeviceList.signature"));
  return l;
}

void DeviceList::Encode(tls::Writer& w) const {
  list.Encode(w);
  w.Opaque16(signature);
}

Result<DeviceList> SignDeviceList(const crypto::SignaturePrivateKey& account, ByteView label,
                                  DeviceListTBS list) {
  if (account.scheme() != list.account_scheme || account.public_key() != list.account_key) {
    return MakeError(Errc::kInvalidArgument, "device list: account key does not match the list");
  }
  if (!SortedUnique(list.devices)) {
    return MakeError(Errc::kInvalidArgument, "device list: device ids must be sorted and unique");
  }
  Bytes signature = account.Sign(SignedBytes(label, list));
  return DeviceList{std::move(list), std::move(signature)};
}

Status VerifyDeviceList(ByteView label, const DeviceList& list,
                        const std::optional<DeviceList>& previous) {
  if (!SortedUnique(list.list.devices)) return Rejected("device ids not sorted and unique");
  if (!crypto::SignatureVerify(list.list.account_scheme, list.list.account_key,
                               SignedBytes(label, list.list), list.signature)
           .ok()) {
    return Rejected("device list is not signed by its account key");
  }
  if (previous) {
    if (previous->list.account_scheme != list.list.account_scheme ||
        previous->list.account_key != list.list.account_key) {
      return Rejected("device list changed the account key");
    }
    if (list.list.sequence <= previous->list.sequence) {
      return Rejected("device list sequence did not increase (replayed list)");
    }
  }
  return OkStatus();
}

Bytes DeviceAuthMessage(std::string_view handle, std::string_view device_id, ByteView challenge) {
  constexpr std::string_view kLabel = "Candor auth v1";
  Bytes m(kLabel.begin(), kLabel.end());
  for (std::string_view part : {handle, device_id}) {
    const size_t n = std::min<size_t>(part.size(), 255);
    m.push_back(static_cast<uint8_t>(n));
    m.insert(m.end(), part.begin(), part.begin() + static_cast<std::ptrdiff_t>(n));
  }
  m.insert(m.end(), challenge.begin(), challenge.end());
  return m;
}

}  // namespace candor::kt
