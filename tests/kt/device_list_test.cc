#include "candor/kt/device_list.h"

#include <gtest/gtest.h>

namespace candor::kt {
namespace {

Bytes B(const char* s) { return Bytes(s, s + std::char_traits<char>::length(s)); }

Device MakeDevice(const char* id) {
  Device d;
  d.device_id = B(id);
  d.signature_key = crypto::SignaturePrivateKey::Generate(d.signature_scheme).public_key();
  d.mls_cipher_suite = 1;
  d.mls_signature_key = crypto::SignaturePrivateKey::Generate(d.signature_scheme).public_key();
  d.added_at = 1'700'000'000'000;
  return d;
}

class DeviceListTest : public ::testing::Test {
 protected:
  DeviceListTBS Tbs(uint64_t sequence, std::vector<Device> devices) {
    DeviceListTBS t;
    t.account_scheme = account_.scheme();
    t.account_key = account_.public_key();
    t.sequence = sequence;
    t.devices = std::move(devices);
    return t;
  }
  crypto::SignaturePrivateKey account_ =
      crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
};

TEST_F(DeviceListTest, SignedListsRoundTripAndVerify) {
  auto v0 = SignDeviceList(account_, B("alice"), Tbs(1, {MakeDevice("phone")}));
  ASSERT_TRUE(v0.ok());
  auto back = tls::DecodeExact<DeviceList>(tls::Encode(*v0));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *v0);
  EXPECT_TRUE(VerifyDeviceList(B("alice"), *v0, std::nullopt).ok());
  auto v1 =
      SignDeviceList(account_, B("alice"), Tbs(2, {MakeDevice("laptop"), v0->list.devices[0]}));
  ASSERT_TRUE(v1.ok());
  EXPECT_TRUE(VerifyDeviceList(B("alice"), *v1, *v0).ok());
  // Truncated encodings are kMalformed.
  Bytes wire = tls::Encode(*v1);
  for (size_t n = 0; n < wire.size(); ++n) {
    auto cut = tls::DecodeExact<DeviceList>(ByteView(wire.data(), n));
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code, Errc::kMalformed);
  }
}

TEST_F(DeviceListTest, GhostsReplaysAndKeySwapsAreRejected) {
  auto v0 = SignDeviceList(account_, B("alice"), Tbs(1, {MakeDevice("phone")}));
  ASSERT_TRUE(v0.ok());
  // The operator adds a device without the account key: the signature no longer covers the list.
  DeviceList ghost = *v0;
  ghost.list.devices.push_back(MakeDevice("zz-ghost"));
  ghost.list.sequence = 2;
  Status st = VerifyDeviceList(B("alice"), ghost, *v0);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("not signed by its account key"), std::string::npos);
  // The same list under another label does not verify either.
  EXPECT_FALSE(VerifyDeviceList(B("mallory"), *v0, std::nullopt).ok());
  // A replayed older list is refused.
  auto v1 = SignDeviceList(account_, B("alice"), Tbs(2, {}));
  ASSERT_TRUE(v1.ok());
  st = VerifyDeviceList(B("alice"), *v0, *v1);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("replayed"), std::string::npos);
  // A list signed by another account key is refused as a key swap.
  auto other = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  DeviceListTBS swapped = Tbs(3, {});
  swapped.account_key = other.public_key();
  auto v2 = SignDeviceList(other, B("alice"), swapped);
  ASSERT_TRUE(v2.ok());
  st = VerifyDeviceList(B("alice"), *v2, *v1);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("changed the account key"), std::string::npos);
  // Unsorted device ids cannot be signed.
  EXPECT_EQ(
      SignDeviceList(account_, B("alice"), Tbs(4, {MakeDevice("b"), MakeDevice("a")})).error().code,
      Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor::kt
