// make_seeds.cc: writes the seed files of the fuzz targets whose inputs only our own code can
// make (stored MLS states, the DS's group views with real commits, signed device lists, trust
// files). Build the `make_fuzz_seeds` target and run it with the corpus folder:
//   cmake --build build/dev --target make_fuzz_seeds && build/dev/fuzz/make_fuzz_seeds fuzz/corpus
// It (re)writes only the files named here.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/kt/device_list.h"
#include "candor/mls/group.h"
#include "candor/mls/group_view.h"
#include "candor/release/release_proof.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/merkle.h"
#include "fuzz/release/release_state_keys.h"

namespace candor {
namespace {

std::string g_root;

void Put(const std::string& target, const std::string& name, ByteView data) {
  const std::string dir = g_root + "/" + target;
  CANDOR_CHECK(MakeDirs(dir).ok());
  CANDOR_CHECK(WriteFileDurable(dir + "/" + name, data).ok());
}
void Put(const std::string& target, const std::string& name, std::string_view text) {
  Put(target, name, AsBytes(text));
}

mls::GroupInfo InfoOf(const mls::Group& g) {
  auto msg = tls::DecodeExact<mls::MLSMessage>(*g.GroupInfo());
  return std::get<mls::GroupInfo>(msg->message);
}

Bytes ViewAndMessage(const mls::GroupView& view, const Bytes& message) {
  tls::Writer v;
  view.Encode(v);
  tls::Writer w;
  w.OpaqueV(v.bytes());
  Bytes out = w.Take();
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

void MlsSeeds() {
  const auto suite = mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
  auto alice = *mls::Client::Create(suite, AsBytes("alice"));
  auto bob = *mls::Client::Create(suite, AsBytes("bob"));
  auto carol = *mls::Client::Create(suite, AsBytes("carol"));
  auto a = *mls::Group::Create(alice, Bytes{'s', 'e', 'e', 'd'});
  Put("group_state_fuzz", "creator_epoch0", a.state().Serialize().view());
  auto view0 = *mls::GroupView::FromGroupInfo(InfoOf(a));
  auto add_bob = *a.Add(*bob.NewKeyPackage());
  CANDOR_CHECK(a.Confirm().ok());
  Put("group_view_fuzz", "epoch0_add", ViewAndMessage(view0, add_bob.commit));
  auto view1 = view0.ApplyCommit(*tls::DecodeExact<mls::MLSMessage>(add_bob.commit), 0)->next;
  auto b = *mls::Group::Join(bob, *add_bob.welcome);
  Put("group_state_fuzz", "creator_epoch1", a.state().Serialize().view());
  Put("group_state_fuzz", "joiner_epoch1", b.state().Serialize().view());
  auto add_carol = *a.Add(*carol.NewKeyPackage());
  CANDOR_CHECK(a.Confirm().ok());
  Put("group_view_fuzz", "epoch1_add", ViewAndMessage(view1, add_carol.commit));
  CANDOR_CHECK(b.Receive(add_carol.commit).ok());
  auto update = *b.Update();
  auto view2 = view1.ApplyCommit(*tls::DecodeExact<mls::MLSMessage>(add_carol.commit), 0)->next;
  Put("group_view_fuzz", "epoch2_update", ViewAndMessage(view2, update.commit));
  Put("group_view_fuzz", "stale_commit", ViewAndMessage(view2, add_bob.commit));
  Put("group_state_fuzz", "joiner_epoch2", b.state().Serialize().view());
}

void DeviceListSeeds() {
  const auto account = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  kt::DeviceListTBS tbs;
  tbs.account_scheme = crypto::SignatureScheme::kEd25519;
  tbs.account_key = account.public_key();
  tbs.sequence = 3;
  for (const char* name : {"laptop", "phone"}) {
    const auto key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
    kt::Device d;
    d.device_id = Bytes(name, name + std::char_traits<char>::length(name));
    d.signature_scheme = crypto::SignatureScheme::kEd25519;
    d.signature_key = key.public_key();
    d.mls_cipher_suite = 1;
    d.mls_signature_key = key.public_key();
    d.added_at = 1796580000000;
    tbs.devices.push_back(d);
  }
  auto list = *kt::SignDeviceList(account, AsBytes("alice"), tbs);
  tls::Writer w;
  w.OpaqueV(AsBytes("alice"));
  Bytes good = w.Take();
  const Bytes encoded = tls::Encode(list);
  good.insert(good.end(), encoded.begin(), encoded.end());
  Put("device_list_fuzz", "signed_two_devices", good);
  Bytes forged = good;
  forged.back() ^= 1;
  Put("device_list_fuzz", "bad_signature", forged);
}

void TextSeeds() {
  Put("link_code_fuzz", "canonical", "TZ8G-TYY8-1G0S-M10M");
  Put("link_code_fuzz", "lower_spaces", "tz8g tyy8 1g0s m10m");
  Put("link_code_fuzz", "qr_text", "CANDOR-LINK:TZ8G-TYY8-1G0S-M10M");
  Put("link_code_fuzz", "bad_letter", "TZ8G-TYY8-1G0S-M1OM");
  Put("link_code_fuzz", "too_long", "TZ8G-TYY8-1G0S-M10M-AAAA");
  Put("link_code_fuzz", "too_short", "TZ8G-TYY8");
  Put("link_code_fuzz", "empty", "");
  Put("json_body_fuzz", "message", R"({"message":"AAEC"})");
  Put("json_body_fuzz", "ack", R"({"up_to":17})");
  Put("json_body_fuzz", "handle", R"({"handle":"alice","device_id":"phone"})");
  Put("json_body_fuzz", "unknown", R"({"handle":"alice","extra":1})");
  Put("json_body_fuzz", "nested", R"({"welcome":null,"message":["x"],"up_to":-1})");
  Put("json_body_fuzz", "not_object", "[1,2,3]");
}

}  // namespace
}  // namespace candor

namespace candor {
namespace {

// ReleaseStateSeeds: a monitor's and an updater's state whose checkpoint (of `tree`) verifies
// under release_state_fuzz's fixed keys.
void ReleaseStateSeeds(tlog::MemoryTree& tree) {
  const tlog::Ed25519NoteSigner log_key = fuzz::ReleaseStateLogKey();
  const tlog::Cosigner witness = fuzz::ReleaseStateWitness();
  tlog::Checkpoint cp{log_key.name(), tree.size(), *tlog::TreeRoot(tree.size(), tree), {}};
  tlog::Note note;
  note.text = cp.Text();
  note.signatures.push_back({log_key.name(), log_key.key_id(), log_key.Sign(note.text)});
  note.signatures.push_back(witness.Cosign(note.text, 1'700'000'000));
  const std::string checkpoint = note.Format();
  const std::string sha(64, 'a');
  Put("release_state_fuzz", "seed_monitor",
      "{\"checkpoint\": " + nlohmann::json(checkpoint).dump() +
          ", \"releases\": [{\"index\": 1, \"product\": \"candor\", \"version\": \"0.19.0\", "
          "\"platform\": \"debian12-amd64\", \"commit\": \"abc\", \"manifest_sha256\": \"" +
          sha + "\"}], \"alarms\": [\"entry 0 is not a release manifest\"]}\n");
  Put("release_state_fuzz", "seed_updater",
      "{\"product\": \"candor\", \"platform\": \"debian12-amd64\", \"artifact\": \"candor\", "
      "\"checkpoint\": " +
          nlohmann::json(checkpoint).dump() +
          ", \"releases\": [{\"index\": 1, \"version\": \"0.19.0\", \"sha256\": \"" + sha +
          "\"}], \"installed\": {\"index\": 1, \"version\": \"0.19.0\", \"sha256\": \"" + sha +
          "\"}}\n");
  Put("release_state_fuzz", "seed_updater_empty",
      "{\"product\": \"candor\", \"platform\": \"debian12-amd64\", \"artifact\": \"candor\", "
      "\"checkpoint\": \"\", \"releases\": [], \"installed\": null}\n");
}

// ReleaseSeeds: a signed manifest and its release proof in a two-entry log, cosigned by a
// witness.
void ReleaseSeeds() {
  release::ReleaseManifest m;
  m.product = "candor";
  m.version = "0.19.0-1";
  m.platform = "debian12-amd64";
  m.commit = "1061244f0c1a2b3c4d5e6f708192a3b4c5d6e7f8";
  m.recipe = "cmake-preset-release";
  m.artifacts = {{"candor", {}}, {"candor_0.19.0-1_amd64.deb", {}}};
  m.artifacts[0].sha256.fill(0x11);
  m.artifacts[1].sha256.fill(0x22);
  Put("release_manifest_fuzz", "seed_manifest", m.Text());
  tlog::Ed25519NoteSigner release_key("release.candor.test", crypto::Ed25519PrivateKey::Generate());
  tlog::Ed25519NoteSigner log_key("candor.test/releases", crypto::Ed25519PrivateKey::Generate());
  tlog::Cosigner witness("w1.test", crypto::Ed25519PrivateKey::Generate());
  const std::string entry = *release::SignManifest(m, release_key);
  tlog::MemoryTree tree;
  tree.AppendLeafHash(tlog::HashLeaf(AsBytes("an earlier entry")));
  const uint64_t index = tree.AppendLeafHash(tlog::HashLeaf(AsBytes(entry)));
  tlog::Checkpoint cp{log_key.name(), tree.size(), *tlog::TreeRoot(tree.size(), tree), {}};
  tlog::Note note;
  note.text = cp.Text();
  note.signatures.push_back({log_key.name(), log_key.key_id(), log_key.Sign(note.text)});
  note.signatures.push_back(witness.Cosign(note.text, 1'700'000'000));
  Put("tlog_proof_fuzz", "seed_release_proof",
      release::MakeReleaseProof(entry, index, *tlog::ProveInclusion(index, tree.size(), tree),
                                note.Format()));
  ReleaseStateSeeds(tree);
}

}  // namespace
}  // namespace candor

int main(int argc, char** argv) {
  if (argc != 2) {
    (void)std::fprintf(stderr, "usage: make_fuzz_seeds <fuzz/corpus>\n");
    return 2;
  }
  candor::g_root = argv[1];
  candor::MlsSeeds();
  candor::DeviceListSeeds();
  candor::TextSeeds();
  candor::ReleaseSeeds();
  return 0;
}
