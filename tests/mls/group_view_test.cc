// The Delivery Service's view of a group (GroupView): it follows a real group from its creation
// through adds, updates, a removal and an external join, agreeing with the members' group
// context at every epoch, and refuses what a member would refuse (a forged signature, a commit
// for another epoch, a stale tree) without holding any group secret.
#include "candor/mls/group_view.h"

#include <gtest/gtest.h>

#include "candor/base/tls.h"
#include "candor/mls/candor_identity.h"
#include "candor/mls/group.h"

namespace candor::mls {
namespace {

GroupInfo InfoOf(const Group& g) {
  auto bytes = g.GroupInfo();
  EXPECT_TRUE(bytes.ok());
  auto msg = tls::DecodeExact<MLSMessage>(*bytes);
  EXPECT_TRUE(msg.ok());
  return std::get<GroupInfo>(msg->message);
}

MLSMessage Decode(const Bytes& wire) {
  auto m = tls::DecodeExact<MLSMessage>(wire);
  EXPECT_TRUE(m.ok()) << m.error().message;
  return std::move(*m);
}

class GroupViewTest : public ::testing::TestWithParam<uint16_t> {
 protected:
  Client NewClient(const std::string& name) {
    auto c = Client::Create(static_cast<CipherSuite>(GetParam()), AsBytes(name));
    EXPECT_TRUE(c.ok());
    return std::move(*c);
  }
};

TEST_P(GroupViewTest, FollowsAGroupThroughEveryKindOfCommit) {
  Client alice = NewClient("alice");
  Client bob = NewClient("bob");
  Client carol = NewClient("carol");
  auto a = Group::Create(alice, Bytes{'g', 'v'});
  ASSERT_TRUE(a.ok());
  auto view = GroupView::FromGroupInfo(InfoOf(*a));
  ASSERT_TRUE(view.ok()) << view.error().message;
  EXPECT_EQ(view->epoch(), 0u);

  // alice adds bob, then carol; bob updates; alice removes carol.
  auto add_bob = a->Add(*bob.NewKeyPackage());
  ASSERT_TRUE(add_bob.ok());
  ASSERT_TRUE(a->Confirm().ok());
  auto step = view->ApplyCommit(Decode(add_bob->commit), 0);
  ASSERT_TRUE(step.ok()) << step.error().message;
  EXPECT_EQ(step->added, std::vector<uint32_t>{1});
  EXPECT_EQ(step->committer, 0u);
  GroupView v1 = step->next;
  EXPECT_EQ(v1.context(), a->state().group_context());
  EXPECT_TRUE(v1.CheckGroupInfo(InfoOf(*a)).ok());
  auto b = Group::Join(bob, *add_bob->welcome);
  ASSERT_TRUE(b.ok());

  auto add_carol = a->Add(*carol.NewKeyPackage());
  ASSERT_TRUE(add_carol.ok());
  ASSERT_TRUE(a->Confirm().ok());
  auto v2 = v1.ApplyCommit(Decode(add_carol->commit), 0);
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  ASSERT_TRUE(b->Receive(add_carol->commit).ok());
  EXPECT_EQ(v2->next.context(), b->state().group_context());

  auto update = b->Update();
  ASSERT_TRUE(update.ok());
  ASSERT_TRUE(b->Confirm().ok());
  auto v3 = v2->next.ApplyCommit(Decode(update->commit), 0);
  ASSERT_TRUE(v3.ok()) << v3.error().message;
  EXPECT_EQ(v3->committer, 1u);
  ASSERT_TRUE(a->Receive(update->commit).ok());
  EXPECT_EQ(v3->next.context(), a->state().group_context());

  auto remove = a->Remove(2);
  ASSERT_TRUE(remove.ok());
  ASSERT_TRUE(a->Confirm().ok());
  auto v4 = v3->next.ApplyCommit(Decode(remove->commit), 0);
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ(v4->removed, std::vector<uint32_t>{2});
  ASSERT_TRUE(b->Receive(remove->commit).ok());
  EXPECT_EQ(v4->next.context(), b->state().group_context());

  // carol comes back by external commit from the GroupInfo the view vouches for.
  const GroupInfo info = InfoOf(*a);
  ASSERT_TRUE(v4->next.CheckGroupInfo(info).ok());
  Client carol2 = NewClient("carol");
  auto joined = Group::JoinExternal(carol2, *a->GroupInfo());
  ASSERT_TRUE(joined.ok()) << joined.error().message;
  auto v5 = v4->next.ApplyCommit(Decode(joined->second), 0);
  ASSERT_TRUE(v5.ok()) << v5.error().message;
  EXPECT_TRUE(v5->external);
  EXPECT_EQ(v5->committer, joined->first.own_leaf_index());
  ASSERT_TRUE(a->Receive(joined->second).ok());
  EXPECT_EQ(v5->next.context(), a->state().group_context());

  // The encoding round-trips and is strict.
  const Bytes encoded = tls::Encode(v5->next);
  auto back = tls::DecodeExact<GroupView>(encoded);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->context(), v5->next.context());
  EXPECT_EQ(tls::Encode(*back), encoded);
  for (size_t cut = 0; cut < encoded.size(); cut += 7) {
    EXPECT_FALSE(tls::DecodeExact<GroupView>(ByteView(encoded).first(cut)).ok()) << cut;
  }
  Bytes trailing = encoded;
  trailing.push_back(0);
  EXPECT_FALSE(tls::DecodeExact<GroupView>(trailing).ok());
}

TEST_P(GroupViewTest, RefusesWhatAMemberWouldRefuse) {
  Client alice = NewClient("alice");
  Client bob = NewClient("bob");
  auto a = Group::Create(alice, Bytes{'g', 'x'});
  ASSERT_TRUE(a.ok());
  auto view = GroupView::FromGroupInfo(InfoOf(*a));
  ASSERT_TRUE(view.ok());
  auto add = a->Add(*bob.NewKeyPackage());
  ASSERT_TRUE(add.ok());
  ASSERT_TRUE(a->Confirm().ok());
  MLSMessage commit = Decode(add->commit);
  // A flipped signature byte: kVerifyFailed.
  MLSMessage forged = commit;
  std::get<PublicMessage>(forged.message).auth.signature[3] ^= 1;
  auto bad = view->ApplyCommit(forged, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kVerifyFailed);
  // The same commit once applied is for a past epoch: kConflict (the DS answers 409).
  auto next = view->ApplyCommit(commit, 0);
  ASSERT_TRUE(next.ok());
  auto again = next->next.ApplyCommit(commit, 0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::kConflict);
  // A GroupInfo of another epoch does not describe the view.
  EXPECT_FALSE(view->CheckGroupInfo(InfoOf(*a)).ok());
  // An application message is not a commit.
  auto app = a->Encrypt(AsBytes("hi"));
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(next->next.ApplyCommit(Decode(*app), 0).error().code, Errc::kMalformed);
}

TEST(CandorIdentityTest, RoundTripsStrictly) {
  auto id = EncodeCandorIdentity({"alice", "phone"});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, (Bytes{5, 'a', 'l', 'i', 'c', 'e', 5, 'p', 'h', 'o', 'n', 'e'}));
  EXPECT_EQ(*DecodeCandorIdentity(*id), (CandorIdentity{"alice", "phone"}));
  for (const Bytes& bad : {Bytes{}, Bytes{0, 1, 'x'}, Bytes{1, 'a'}, Bytes{1, 'a', 2, 'b'},
                           Bytes{1, 'a', 1, 'b', 0}}) {
    EXPECT_FALSE(DecodeCandorIdentity(bad).ok());
  }
  EXPECT_FALSE(EncodeCandorIdentity({"", "x"}).ok());
  EXPECT_FALSE(EncodeCandorIdentity({std::string(256, 'a'), "x"}).ok());
}

INSTANTIATE_TEST_SUITE_P(Suites, GroupViewTest, ::testing::Values(1, 2, 3),
                         [](const ::testing::TestParamInfo<uint16_t>& info) {
                           return "Suite" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace candor::mls

namespace candor::mls {
namespace {

// A member's saved state: Deserialize(Serialize(s)) behaves exactly as s from then on (decrypts
// what s would, commits into the same epoch), and the decoder refuses every truncation and a
// trailing byte.
TEST(GroupStateCodecTest, SavedStateContinuesTheGroup) {
  auto alice =
      Client::Create(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, AsBytes("alice"));
  auto bob =
      Client::Create(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, AsBytes("bob"));
  ASSERT_TRUE(alice.ok() && bob.ok());
  auto a = Group::Create(*alice, Bytes{'s', 'c'});
  auto add = a->Add(*bob->NewKeyPackage());
  ASSERT_TRUE(add.ok());
  ASSERT_TRUE(a->Confirm().ok());
  auto b = Group::Join(*bob, *add->welcome);
  ASSERT_TRUE(b.ok());
  // Some traffic first, so the secret tree holds ratchets and a skipped key.
  auto m1 = a->Encrypt(AsBytes("one"));
  auto m2 = a->Encrypt(AsBytes("two"));
  ASSERT_TRUE(m1.ok() && m2.ok());
  ASSERT_TRUE(b->Receive(*m2).ok());  // m1 is skipped and kept

  const SecretBytes saved = b->state().Serialize();
  auto restored = GroupState::Deserialize(saved.view());
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->group_context(), b->state().group_context());
  EXPECT_EQ(restored->own_leaf_index().value, b->state().own_leaf_index().value);
  // The kept key of m1 survived, and a used one did not.
  auto late = restored->Unprotect(*tls::DecodeExact<MLSMessage>(*m1));
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_EQ(AsStringView(late->application_data.view()), "one");
  EXPECT_FALSE(restored->Unprotect(*tls::DecodeExact<MLSMessage>(*m2)).ok());
  // It follows alice's next commit and agrees with her.
  auto update = a->Update();
  ASSERT_TRUE(update.ok());
  ASSERT_TRUE(a->Confirm().ok());
  auto next = restored->HandleCommit(*tls::DecodeExact<MLSMessage>(update->commit));
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->epoch_authenticator().size(), a->epoch_authenticator().size());
  EXPECT_TRUE(std::equal(next->epoch_authenticator().begin(), next->epoch_authenticator().end(),
                         a->epoch_authenticator().begin()));
  // Re-encoding a fresh decode gives the same bytes; truncations and a trailing byte are
  // refused.
  const SecretBytes again = GroupState::Deserialize(saved.view())->Serialize();
  EXPECT_TRUE(std::equal(again.view().begin(), again.view().end(), saved.view().begin(),
                         saved.view().end()));
  for (size_t cut = 0; cut < saved.size(); cut += 13) {
    EXPECT_FALSE(GroupState::Deserialize(saved.view().first(cut)).ok()) << cut;
  }
  Bytes trailing(saved.view().begin(), saved.view().end());
  trailing.push_back(0);
  EXPECT_FALSE(GroupState::Deserialize(trailing).ok());
}

}  // namespace
}  // namespace candor::mls
