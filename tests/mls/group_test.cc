// The group state machine end to end (RFC 9420 §11, §12): a group is created, members are
// added by Welcome, exchange application messages, update, are removed, and one joins by
// external Commit; after every step all members agree on the epoch_authenticator and the
// exporter. Then the failure cases: each returns its typed error and leaves the state usable.
#include "candor/mls/group.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "candor/base/tls.h"
#include "candor/crypto/constant_time.h"
#include "candor/crypto/hpke.h"
#include "candor/crypto/signature.h"
#include "candor/mls/extension_bodies.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/message_protection.h"

namespace candor::mls {
namespace {

// Member is a would-be member: its KeyPackage and private keys.
struct Member {
  KeyPackage key_package;
  KeyPackagePrivateKeys keys;
};

Member MakeMember(const CipherSuiteParams& cs, const std::string& name) {
  auto signer = crypto::SignaturePrivateKey::Generate(cs.signature);
  Credential credential;
  credential.identity.assign(name.begin(), name.end());
  auto kp =
      CreateKeyPackage(cs, signer, credential, Lifetime{0, std::numeric_limits<uint64_t>::max()});
  EXPECT_TRUE(kp.ok()) << (kp.ok() ? "" : kp.error().ToString());
  return Member{kp->key_package,
                {std::move(kp->init_private_key), std::move(kp->encryption_private_key),
                 SecretBytes(signer.private_key())}};
}

Bytes Exported(const GroupState& s) {
  auto e = s.MlsExporter(AsBytes("test"), AsBytes("context"), 32);
  EXPECT_TRUE(e.ok());
  return e.ok() ? Bytes(e->view().begin(), e->view().end()) : Bytes{};
}

// ExpectAgree checks that all states are at the same epoch with the same authenticator and
// exporter output.
void ExpectAgree(const std::vector<const GroupState*>& states) {
  ASSERT_FALSE(states.empty());
  const GroupState& first = *states.front();
  for (const GroupState* s : states) {
    EXPECT_EQ(s->epoch(), first.epoch());
    EXPECT_TRUE(crypto::ConstantTimeEqual(s->epoch_authenticator(), first.epoch_authenticator()));
    EXPECT_EQ(Exported(*s), Exported(first));
    EXPECT_EQ(s->tree().TreeHash(), first.tree().TreeHash());
  }
}

Proposal AddOf(const Member& m) { return Proposal{Add{m.key_package}}; }

// FourMembers is a 4-member group (a, b, c, d) of one suite, built by Welcome.
struct FourMembers {
  std::optional<GroupState> a, b, c, d;
};

FourMembers MakeGroup(const CipherSuiteParams& cs) {
  FourMembers g;
  Member ma = MakeMember(cs, "alice");
  Member mb = MakeMember(cs, "bob");
  Member mc = MakeMember(cs, "carol");
  Member md = MakeMember(cs, "dave");
  auto a = GroupState::CreateGroup(ma.key_package, ma.keys, Bytes{'g', 'r', 'p'});
  EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().ToString());
  if (!a.ok()) return g;
  // a adds b (public commit), then c and d together (private commit).
  auto r1 = a->Commit({AddOf(mb)});
  EXPECT_TRUE(r1.ok()) << (r1.ok() ? "" : r1.error().ToString());
  if (!r1.ok() || !r1->welcome) return g;
  auto b = GroupState::JoinFromWelcome(mb.key_package, mb.keys,
                                       std::get<Welcome>(r1->welcome->message), std::nullopt, {});
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().ToString());
  if (!b.ok()) return g;
  g.a.emplace(std::move(r1->next));
  g.b.emplace(std::move(b).value());
  ExpectAgree({&*g.a, &*g.b});

  CommitOptions private_commit;
  private_commit.private_message = true;
  auto r2 = g.a->Commit({AddOf(mc), AddOf(md)}, private_commit);
  EXPECT_TRUE(r2.ok()) << (r2.ok() ? "" : r2.error().ToString());
  if (!r2.ok() || !r2->welcome) return g;
  auto b2 = g.b->HandleCommit(r2->commit);
  EXPECT_TRUE(b2.ok()) << (b2.ok() ? "" : b2.error().ToString());
  const Welcome& w = std::get<Welcome>(r2->welcome->message);
  auto c = GroupState::JoinFromWelcome(mc.key_package, mc.keys, w, std::nullopt, {});
  auto d = GroupState::JoinFromWelcome(md.key_package, md.keys, w, std::nullopt, {});
  EXPECT_TRUE(c.ok() && d.ok());
  if (!b2.ok() || !c.ok() || !d.ok()) return g;
  g.a.emplace(std::move(r2->next));
  g.b.emplace(std::move(b2).value());
  g.c.emplace(std::move(c).value());
  g.d.emplace(std::move(d).value());
  ExpectAgree({&*g.a, &*g.b, &*g.c, &*g.d});
  return g;
}

class GroupTest : public ::testing::TestWithParam<uint16_t> {
 protected:
  const CipherSuiteParams& cs() const { return **GetCipherSuiteParams(GetParam()); }
};

TEST_P(GroupTest, Lifecycle) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b && g.c && g.d);

  // Application messages from a to everyone else.
  auto m = g.a->Protect(AsBytes("hello"), AsBytes("ad"));
  ASSERT_TRUE(m.ok());
  for (GroupState* s : {&*g.b, &*g.c, &*g.d}) {
    auto got = s->Unprotect(*m);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    EXPECT_EQ(AsStringView(got->application_data.view()), "hello");
    EXPECT_EQ(got->sender.value, 0u);
  }

  // b updates itself (empty commit with a path).
  auto upd = g.b->Commit({});
  ASSERT_TRUE(upd.ok()) << upd.error().ToString();
  for (std::optional<GroupState>* s : {&g.a, &g.c, &g.d}) {
    auto next = (*s)->HandleCommit(upd->commit);
    ASSERT_TRUE(next.ok()) << next.error().ToString();
    s->emplace(std::move(next).value());
  }
  g.b.emplace(std::move(upd->next));
  ExpectAgree({&*g.a, &*g.b, &*g.c, &*g.d});

  // c removes d; d learns it is out.
  auto rem = g.c->Commit({Proposal{Remove{g.d->own_leaf_index().value}}});
  ASSERT_TRUE(rem.ok()) << rem.error().ToString();
  auto d_out = g.d->HandleCommit(rem->commit);
  ASSERT_FALSE(d_out.ok());
  EXPECT_EQ(d_out.error().code, Errc::kConflict);
  for (std::optional<GroupState>* s : {&g.a, &g.b}) {
    auto next = (*s)->HandleCommit(rem->commit);
    ASSERT_TRUE(next.ok()) << next.error().ToString();
    s->emplace(std::move(next).value());
  }
  g.c.emplace(std::move(rem->next));
  ExpectAgree({&*g.a, &*g.b, &*g.c});

  // e joins by external Commit from a's GroupInfo.
  auto info = g.a->GroupInfoForJoiners();
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  Member me = MakeMember(cs(), "eve");
  auto joined = GroupState::JoinExternal(me.key_package, me.keys, *info);
  ASSERT_TRUE(joined.ok()) << joined.error().ToString();
  for (std::optional<GroupState>* s : {&g.a, &g.b, &g.c}) {
    auto next = (*s)->HandleCommit(joined->first);
    ASSERT_TRUE(next.ok()) << next.error().ToString();
    s->emplace(std::move(next).value());
  }
  ExpectAgree({&*g.a, &*g.b, &*g.c, &joined->second});

  // And e can talk to the group.
  auto hi = joined->second.Protect(AsBytes("hi from e"));
  ASSERT_TRUE(hi.ok());
  auto got = g.b->Unprotect(*hi);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got->sender, joined->second.own_leaf_index());
}

// A member that lost its state rejoins by external commit with its own signature key,
// removing its old leaf in the same commit (a resync, RFC 9420 §12.4.3.2). Without the
// Remove the others refuse the commit: the key is already in the group.
TEST_P(GroupTest, MemberThatLostItsStateRejoinsByExternalCommit) {
  Member ma = MakeMember(cs(), "alice");
  Member mb = MakeMember(cs(), "bob");
  const SecretBytes bob_signature_key = mb.keys.signature_private_key.Clone();
  auto a = GroupState::CreateGroup(ma.key_package, ma.keys, Bytes{'r', 's'});
  ASSERT_TRUE(a.ok());
  auto added = a->Commit({AddOf(mb)});
  ASSERT_TRUE(added.ok() && added->welcome);
  GroupState alice = std::move(added->next);
  ASSERT_TRUE(GroupState::JoinFromWelcome(mb.key_package, mb.keys,
                                          std::get<Welcome>(added->welcome->message), std::nullopt,
                                          {})
                  .ok());
  // bob's state is gone; his device still holds its signature key.
  auto signer = crypto::SignaturePrivateKey::FromBytes(cs().signature, bob_signature_key.view());
  ASSERT_TRUE(signer.ok());
  Credential credential;
  credential.identity = {'b', 'o', 'b'};
  auto kp = CreateKeyPackage(cs(), *signer, credential,
                             Lifetime{0, std::numeric_limits<uint64_t>::max()});
  ASSERT_TRUE(kp.ok());
  const KeyPackagePrivateKeys keys{kp->init_private_key.Clone(), kp->encryption_private_key.Clone(),
                                   bob_signature_key.Clone()};
  auto info = alice.GroupInfoForJoiners();
  ASSERT_TRUE(info.ok());

  auto plain = GroupState::JoinExternal(kp->key_package, keys, *info);
  ASSERT_TRUE(plain.ok()) << plain.error().ToString();
  EXPECT_EQ(alice.HandleCommit(plain->first).error().code, Errc::kMalformed);
  EXPECT_EQ(
      GroupState::JoinExternal(kp->key_package, keys, *info, nullptr, LeafIndex{5}).error().code,
      Errc::kInvalidArgument);

  auto rejoined = GroupState::JoinExternal(kp->key_package, keys, *info, nullptr, LeafIndex{1});
  ASSERT_TRUE(rejoined.ok()) << rejoined.error().ToString();
  auto next = alice.HandleCommit(rejoined->first);
  ASSERT_TRUE(next.ok()) << next.error().ToString();
  ExpectAgree({&*next, &rejoined->second});
  EXPECT_EQ(rejoined->second.own_leaf_index().value, 1u);
  EXPECT_EQ(next->tree().num_leaves(), 2u);
  auto hi = rejoined->second.Protect(AsBytes("back"));
  ASSERT_TRUE(hi.ok());
  auto got = next->Unprotect(*hi);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(AsStringView(got->application_data.view()), "back");
}

// KeyPackage lifetimes are checked against the clock the state was lent, and the states of
// later epochs keep it.
TEST_P(GroupTest, LifetimesAreCheckedAgainstTheLentClock) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a);
  auto signer = crypto::SignaturePrivateKey::Generate(cs().signature);
  Credential credential;
  credential.identity = {'e'};
  // Valid from 1,000,000 to 2,000,000 (POSIX seconds): long expired by the system's clock.
  auto kp = CreateKeyPackage(cs(), signer, credential, Lifetime{1'000'000, 2'000'000});
  ASSERT_TRUE(kp.ok());
  const std::vector<Proposal> add = {Proposal{Add{kp->key_package}}};
  EXPECT_EQ(g.a->Commit(add).error().code, Errc::kMalformed);
  g.a->set_clock([] { return uint64_t{1'500'000'000}; });  // ms: 1,500,000 s
  auto committed = g.a->Commit(add);
  ASSERT_TRUE(committed.ok()) << committed.error().ToString();
  // The next epoch's state kept the clock: a second KeyPackage of the same lifetime is valid.
  auto signer2 = crypto::SignaturePrivateKey::Generate(cs().signature);
  auto kp2 = CreateKeyPackage(cs(), signer2, credential, Lifetime{1'000'000, 2'000'000});
  ASSERT_TRUE(kp2.ok());
  auto again = committed->next.Commit({Proposal{Add{kp2->key_package}}});
  EXPECT_TRUE(again.ok()) << again.error().ToString();
}

TEST_P(GroupTest, TamperedApplicationMessageIsVerifyFailedAndStateUntouched) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b);
  auto m = g.a->Protect(AsBytes("secret"));
  ASSERT_TRUE(m.ok());
  MLSMessage bad = *m;
  std::get<PrivateMessage>(bad.message).ciphertext.back() ^= 1;
  auto r = g.b->Unprotect(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kVerifyFailed);
  // The untouched message still opens, once: a replay is refused.
  ASSERT_TRUE(g.b->Unprotect(*m).ok());
  auto replay = g.b->Unprotect(*m);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, Errc::kVerifyFailed);
}

TEST_P(GroupTest, TamperedCommitIsVerifyFailedAndStateUntouched) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b);
  auto upd = g.a->Commit({});
  ASSERT_TRUE(upd.ok());
  const uint64_t epoch = g.b->epoch();

  MLSMessage bad_tag = upd->commit;
  std::get<PublicMessage>(bad_tag.message).membership_tag.front() ^= 1;
  MLSMessage bad_sig = upd->commit;
  std::get<PublicMessage>(bad_sig.message).auth.signature.front() ^= 1;
  MLSMessage bad_confirmation = upd->commit;
  std::get<PublicMessage>(bad_confirmation.message).auth.confirmation_tag.front() ^= 1;
  MLSMessage bad_path = upd->commit;
  auto& path =
      std::get<mls::Commit>(std::get<PublicMessage>(bad_path.message).content.content).path;
  ASSERT_TRUE(path.has_value() && !path->nodes.empty());
  path->nodes.front().encryption_key.back() ^= 1;  // breaks the parent hash (and the signature)
  for (const MLSMessage* bad : {&bad_tag, &bad_sig, &bad_confirmation, &bad_path}) {
    auto r = g.b->HandleCommit(*bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kVerifyFailed) << r.error().ToString();
    EXPECT_EQ(g.b->epoch(), epoch);
  }
  auto ok = g.b->HandleCommit(upd->commit);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  ExpectAgree({&upd->next, &*ok});

  // The same commit again, now from an old epoch, is refused by the new state.
  auto stale = ok->HandleCommit(upd->commit);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, Errc::kVerifyFailed);
}

TEST_P(GroupTest, OldEpochApplicationMessageIsVerifyFailed) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b);
  auto m = g.a->Protect(AsBytes("late"));
  ASSERT_TRUE(m.ok());
  auto upd = g.a->Commit({});
  ASSERT_TRUE(upd.ok());
  auto b2 = g.b->HandleCommit(upd->commit);
  ASSERT_TRUE(b2.ok());
  auto r = b2->Unprotect(*m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kVerifyFailed);
}

TEST_P(GroupTest, InvalidProposalsAreRefused) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b);
  // Removing ourselves, or a blank leaf, or adding a member twice.
  auto self = g.a->Commit({Proposal{Remove{g.a->own_leaf_index().value}}});
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().code, Errc::kInvalidArgument);
  auto blank = g.a->Commit({Proposal{Remove{77}}});
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().code, Errc::kMalformed);
  auto twice = g.a->Commit({Proposal{Remove{1}}, Proposal{Remove{1}}});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, Errc::kMalformed);
  Member mx = MakeMember(cs(), "x");
  auto dup = g.a->Commit({AddOf(mx), AddOf(mx)});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, Errc::kMalformed);
  auto reinit = g.a->Commit({Proposal{ReInit{}}, AddOf(mx)});
  ASSERT_FALSE(reinit.ok());
  EXPECT_EQ(reinit.error().code, Errc::kMalformed);
  auto ext = g.a->Commit({Proposal{ExternalInit{}}});
  ASSERT_FALSE(ext.ok());
  EXPECT_EQ(ext.error().code, Errc::kMalformed);
}

TEST_P(GroupTest, TruncatedMessagesAreMalformed) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b);
  auto upd = g.a->Commit({});
  ASSERT_TRUE(upd.ok());
  const Bytes wire = tls::Encode(upd->commit);
  size_t num_checked = 0;
  for (size_t len = 0; len < wire.size(); len += 7) {
    auto m = tls::DecodeExact<MLSMessage>(ByteView(wire).first(len));
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::kMalformed);
    ++num_checked;
  }
  EXPECT_GT(num_checked, 0u);
  // An application message handed to HandleCommit is not a commit.
  auto app = g.a->Protect(AsBytes("x"));
  ASSERT_TRUE(app.ok());
  auto r = g.b->HandleCommit(*app);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kMalformed);
}

// Delivers `message` (a proposal) to every state in `states`.
void DeliverProposal(const MLSMessage& message, const std::vector<GroupState*>& states) {
  for (GroupState* s : states) {
    auto r = s->HandleProposal(message);
    EXPECT_TRUE(r.ok()) << r.error().ToString();
  }
}

// CommitTo applies `commit` to every state in `states`, replacing each with its next epoch.
void CommitTo(const MLSMessage& commit, const std::vector<std::optional<GroupState>*>& states,
              std::span<const ExternalPsk> psks = {}) {
  for (std::optional<GroupState>* s : states) {
    auto next = (*s)->HandleCommit(commit, psks);
    ASSERT_TRUE(next.ok()) << next.error().ToString();
    s->emplace(std::move(next).value());
  }
}

TEST_P(GroupTest, ProposalsByReference) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b && g.c && g.d);
  // b proposes its own Update, c proposes to remove d; a commits both by reference.
  auto update = g.b->ProposeUpdate();
  ASSERT_TRUE(update.ok()) << update.error().ToString();
  DeliverProposal(*update, {&*g.a, &*g.c, &*g.d});
  auto remove = g.c->Propose(Proposal{Remove{g.d->own_leaf_index().value}}, true);
  ASSERT_TRUE(remove.ok()) << remove.error().ToString();
  DeliverProposal(*remove, {&*g.a, &*g.b, &*g.d});
  auto r = g.a->Commit({});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const auto& covered =
      std::get<mls::Commit>(std::get<PublicMessage>(r->commit.message).content.content);
  EXPECT_EQ(covered.proposals.size(), 2u);
  CommitTo(r->commit, {&g.b, &g.c});
  g.a.emplace(std::move(r->next));
  ExpectAgree({&*g.a, &*g.b, &*g.c});
  EXPECT_EQ(g.a->tree().leaf_node(g.b->own_leaf_index())->leaf_node_source, LeafNodeSource::update);
  // A path from c now reaches b through the leaf key b proposed.
  auto r2 = g.c->Commit({});
  ASSERT_TRUE(r2.ok()) << r2.error().ToString();
  CommitTo(r2->commit, {&g.a, &g.b});
  g.c.emplace(std::move(r2->next));
  ExpectAgree({&*g.a, &*g.b, &*g.c});
}

TEST_P(GroupTest, PreSharedKeys) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b && g.c && g.d);
  std::vector<ExternalPsk> psks;
  psks.push_back({Bytes{'e', 'x', 't'}, SecretBytes(AsBytes("a shared secret"))});
  PreSharedKeyID external;
  external.psktype = PSKType::external;
  external.psk_id = psks[0].psk_id;
  external.psk_nonce = Bytes(cs().nh, 7);
  PreSharedKeyID resumption;
  resumption.psktype = PSKType::resumption;
  resumption.usage = ResumptionPSKUsage::application;
  resumption.psk_group_id = g.a->group_id();
  resumption.psk_epoch = g.a->epoch();  // c and d joined in this epoch: they hold only it
  resumption.psk_nonce = Bytes(cs().nh, 9);
  CommitOptions options;
  options.external_psks = psks;
  auto r =
      g.a->Commit({Proposal{PreSharedKey{external}}, Proposal{PreSharedKey{resumption}}}, options);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  // Without the external PSK a member cannot follow.
  auto missing = g.b->HandleCommit(r->commit);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  CommitTo(r->commit, {&g.b, &g.c, &g.d}, psks);
  g.a.emplace(std::move(r->next));
  ExpectAgree({&*g.a, &*g.b, &*g.c, &*g.d});
}

TEST_P(GroupTest, GroupContextExtensions) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b && g.c && g.d);
  const Extension app_id{kApplicationId, Bytes{'a', 'p', 'p'}};
  auto r = g.a->Commit({Proposal{GroupContextExtensions{{app_id}}}});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  CommitTo(r->commit, {&g.b, &g.c, &g.d});
  g.a.emplace(std::move(r->next));
  ExpectAgree({&*g.a, &*g.b, &*g.c, &*g.d});
  EXPECT_EQ(g.b->group_context().extensions, std::vector<Extension>{app_id});
  // Requiring an extension no member supports is refused.
  RequiredCapabilities required;
  required.extension_types = {0xff00};
  const Extension rc{kRequiredCapabilities, tls::Encode(required)};
  auto bad = g.a->Commit({Proposal{GroupContextExtensions{{rc}}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kMalformed);
}

TEST_P(GroupTest, ExternalCommitWithBadParentHashIsVerifyFailed) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b);
  auto info = g.a->GroupInfoForJoiners();
  ASSERT_TRUE(info.ok());
  Member me = MakeMember(cs(), "eve");
  auto joined = GroupState::JoinExternal(me.key_package, me.keys, *info);
  ASSERT_TRUE(joined.ok()) << joined.error().ToString();
  // The joiner re-signs a commit whose path breaks the parent hash chain: the signature is
  // good, the parent hash is not (an external commit has no membership tag).
  PublicMessage pm = std::get<PublicMessage>(joined->first.message);
  auto& path = std::get<mls::Commit>(pm.content.content).path;
  ASSERT_TRUE(path.has_value() && !path->nodes.empty());
  path->nodes.back().encryption_key = crypto::GenerateKeyPair(cs().kem).public_key;
  auto signer =
      crypto::SignaturePrivateKey::FromBytes(cs().signature, me.keys.signature_private_key.view());
  ASSERT_TRUE(signer.ok());
  auto resigned = SignFramedContent(cs(), WireFormat::mls_public_message, pm.content,
                                    info->group_context, *signer);
  ASSERT_TRUE(resigned.ok());
  pm.auth.signature = resigned->auth.signature;
  MLSMessage bad;
  bad.message = pm;
  const uint64_t epoch = g.b->epoch();
  auto r = g.b->HandleCommit(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kVerifyFailed);
  EXPECT_EQ(g.b->epoch(), epoch);
  // The genuine commit still works.
  CommitTo(joined->first, {&g.b});
  ExpectAgree({&*g.b, &joined->second});
}

TEST_P(GroupTest, ExternalCommitReusingAMembersKeyIsRefused) {
  FourMembers g = MakeGroup(cs());
  ASSERT_TRUE(g.a && g.b);
  auto info = g.a->GroupInfoForJoiners();
  ASSERT_TRUE(info.ok());
  Member me = MakeMember(cs(), "eve");
  auto joined = GroupState::JoinExternal(me.key_package, me.keys, *info);
  ASSERT_TRUE(joined.ok()) << joined.error().ToString();
  PublicMessage pm = std::get<PublicMessage>(joined->first.message);
  auto& path = std::get<mls::Commit>(pm.content.content).path;
  ASSERT_TRUE(path.has_value());
  path->leaf_node.encryption_key = g.a->tree().leaf_node(LeafIndex{1})->encryption_key;
  auto signer =
      crypto::SignaturePrivateKey::FromBytes(cs().signature, me.keys.signature_private_key.view());
  ASSERT_TRUE(signer.ok());
  auto resigned = SignFramedContent(cs(), WireFormat::mls_public_message, pm.content,
                                    info->group_context, *signer);
  ASSERT_TRUE(resigned.ok());
  pm.auth.signature = resigned->auth.signature;
  MLSMessage bad;
  bad.message = pm;
  auto r = g.b->HandleCommit(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kMalformed);
}

// The high-level API: bytes in, bytes out.
TEST_P(GroupTest, HighLevelApi) {
  const CipherSuite suite = cs().suite;
  auto alice = Client::Create(suite, AsBytes("alice"));
  auto bob = Client::Create(suite, AsBytes("bob"));
  auto carol = Client::Create(suite, AsBytes("carol"));
  ASSERT_TRUE(alice.ok() && bob.ok() && carol.ok());
  auto ga = Group::Create(*alice, AsBytes("high-level"));
  ASSERT_TRUE(ga.ok()) << ga.error().ToString();

  auto bob_kp = bob->NewKeyPackage();
  ASSERT_TRUE(bob_kp.ok());
  auto added = ga->Add(*bob_kp);
  ASSERT_TRUE(added.ok()) << added.error().ToString();
  ASSERT_TRUE(added->welcome.has_value());
  ASSERT_TRUE(ga->Confirm().ok());
  auto gb = Group::Join(*bob, *added->welcome);
  ASSERT_TRUE(gb.ok()) << gb.error().ToString();
  // The KeyPackage's keys are gone: the same Welcome cannot be used twice.
  auto again = Group::Join(*bob, *added->welcome);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::kNotFound);

  auto ciphertext = gb->Encrypt(AsBytes("hi alice"));
  ASSERT_TRUE(ciphertext.ok());
  auto got = ga->Receive(*ciphertext);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got->kind, Received::Kind::kApplication);
  EXPECT_EQ(got->sender, gb->own_leaf_index());
  EXPECT_EQ(AsStringView(got->application_data.view()), "hi alice");

  auto info = gb->GroupInfo();
  ASSERT_TRUE(info.ok());
  auto gc = Group::JoinExternal(*carol, *info);
  ASSERT_TRUE(gc.ok()) << gc.error().ToString();
  for (Group* g : {&*ga, &*gb}) {
    auto r = g->Receive(gc->second);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->kind, Received::Kind::kCommit);
  }
  auto upd = gc->first.Update();
  ASSERT_TRUE(upd.ok());
  ASSERT_TRUE(gc->first.Confirm().ok());
  ASSERT_TRUE(ga->Receive(upd->commit).ok());
  ASSERT_TRUE(gb->Receive(upd->commit).ok());
  auto removed = ga->Remove(gb->own_leaf_index());
  ASSERT_TRUE(removed.ok());
  ASSERT_TRUE(ga->Confirm().ok());
  ASSERT_TRUE(gc->first.Receive(removed->commit).ok());
  auto out = gb->Receive(removed->commit);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::kConflict);
  EXPECT_EQ(ga->epoch(), gc->first.epoch());
  EXPECT_TRUE(
      crypto::ConstantTimeEqual(ga->epoch_authenticator(), gc->first.epoch_authenticator()));
  auto ea = ga->Export("label", AsBytes("ctx"), 16);
  auto ec = gc->first.Export("label", AsBytes("ctx"), 16);
  ASSERT_TRUE(ea.ok() && ec.ok());
  EXPECT_TRUE(crypto::ConstantTimeEqual(ea->view(), ec->view()));
  // Garbage is kMalformed and changes nothing.
  auto garbage = ga->Receive(AsBytes("not an MLS message"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, Errc::kMalformed);
}

// A change is a pending commit: the group stays in its epoch until the Delivery Service's
// answer says Confirm or Discard, and a commit of another member that wins the epoch replaces
// ours.
TEST_P(GroupTest, HighLevelCommitsArePendingUntilConfirmed) {
  const CipherSuite suite = cs().suite;
  auto alice = Client::Create(suite, AsBytes("alice"));
  auto bob = Client::Create(suite, AsBytes("bob"));
  auto carol = Client::Create(suite, AsBytes("carol"));
  ASSERT_TRUE(alice.ok() && bob.ok() && carol.ok());
  auto ga = Group::Create(*alice, AsBytes("pending"));
  ASSERT_TRUE(ga.ok());
  EXPECT_EQ(ga->Confirm().error().code, Errc::kNotFound);

  // A refused commit is discarded: the epoch does not move, and its Welcome opens nothing
  // that the group will ever use.
  auto refused = ga->Add(*bob->NewKeyPackage());
  ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(ga->has_pending_commit());
  EXPECT_EQ(ga->epoch(), 0u);
  auto second = ga->Update();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, Errc::kConflict);
  // Messages go out in the epoch in force while the commit is pending.
  auto early = ga->Encrypt(AsBytes("still epoch 0"));
  ASSERT_TRUE(early.ok());
  ga->Discard();
  EXPECT_FALSE(ga->has_pending_commit());
  EXPECT_EQ(ga->epoch(), 0u);

  auto added = ga->Add(*bob->NewKeyPackage());
  ASSERT_TRUE(added.ok());
  ASSERT_TRUE(ga->Confirm().ok());
  EXPECT_EQ(ga->epoch(), 1u);
  auto gb = Group::Join(*bob, *added->welcome);
  ASSERT_TRUE(gb.ok()) << gb.error().ToString();
  EXPECT_TRUE(crypto::ConstantTimeEqual(ga->epoch_authenticator(), gb->epoch_authenticator()));

  // alice and bob commit in epoch 1 at once; the DS takes bob's. alice receives it: hers is
  // dropped and both are in bob's epoch 2.
  auto alices = ga->Add(*carol->NewKeyPackage());
  ASSERT_TRUE(alices.ok());
  auto bobs = gb->Update();
  ASSERT_TRUE(bobs.ok());
  ASSERT_TRUE(gb->Confirm().ok());
  auto got = ga->Receive(bobs->commit);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got->kind, Received::Kind::kCommit);
  EXPECT_FALSE(ga->has_pending_commit());
  EXPECT_EQ(ga->epoch(), 2u);
  EXPECT_TRUE(crypto::ConstantTimeEqual(ga->epoch_authenticator(), gb->epoch_authenticator()));
  // The losing commit is of a past epoch for bob.
  EXPECT_FALSE(gb->Receive(alices->commit).ok());
  // alice's change still applies: she commits it again, in epoch 2.
  auto retried = ga->Add(*carol->NewKeyPackage());
  ASSERT_TRUE(retried.ok());
  ASSERT_TRUE(ga->Confirm().ok());
  ASSERT_TRUE(gb->Receive(retried->commit).ok());
  auto gc = Group::Join(*carol, *retried->welcome);
  ASSERT_TRUE(gc.ok()) << gc.error().ToString();
  EXPECT_EQ(gc->epoch(), 3u);
  EXPECT_TRUE(crypto::ConstantTimeEqual(gc->epoch_authenticator(), gb->epoch_authenticator()));
}

INSTANTIATE_TEST_SUITE_P(Suites, GroupTest, ::testing::Values(1, 2, 3, 4, 5, 6, 7));

}  // namespace
}  // namespace candor::mls
