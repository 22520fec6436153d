// framing.h: RFC 9420 §6 message framing: Sender, FramedContent, FramedContentAuthData,
// PublicMessage, PrivateMessage, and the structs signed, MACed or encrypted around them
// (FramedContentTBS, AuthenticatedContent, AuthenticatedContentTBM, PrivateMessageContent,
// PrivateContentAAD, SenderData, SenderDataAAD). Encoding only: no signing, MACing or AEAD.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/commit.h"
#include "candor/mls/group_context.h"
#include "candor/mls/proposals.h"

namespace candor::mls {

// RFC 9420 §6: `uint16 WireFormat` ("MLS Wire Formats" registry), the values MLSMessage
// can carry; others are kMalformed where a select needs them.
enum class WireFormat : uint16_t {
  mls_public_message = 1,
  mls_private_message = 2,
  mls_welcome = 3,
  mls_group_info = 4,
  mls_key_package = 5,
};

// RFC 9420 §6: enum { reserved(0), application(1), proposal(2), commit(3), (255) } ContentType;
enum class ContentType : uint8_t { application = 1, proposal = 2, commit = 3 };

// RFC 9420 §6: enum { reserved(0), member(1), external(2), new_member_proposal(3),
//   new_member_commit(4), (255) } SenderType;
enum class SenderType : uint8_t {
  member = 1,
  external = 2,
  new_member_proposal = 3,
  new_member_commit = 4,
};

// RFC 9420 §6: struct { SenderType sender_type; select (Sender.sender_type) {
//   case member: uint32 leaf_index; case external: uint32 sender_index;
//   case new_member_commit: case new_member_proposal: struct{}; }; } Sender;
struct Sender {
  SenderType sender_type = SenderType::member;
  uint32_t leaf_index = 0;    // member only
  uint32_t sender_index = 0;  // external only

  // Decode reads a Sender; an unknown sender_type is kMalformed.
  static Result<Sender> Decode(tls::Reader& r);
  // Encode writes the Sender; only the index sender_type selects.
  void Encode(tls::Writer& w) const;
  bool operator==(const Sender&) const = default;
};

// ContentBody is the `select (content_type)` of FramedContent and PrivateMessageContent:
// `opaque application_data<V>` (as Bytes), `Proposal proposal`, or `Commit commit`, in
// ContentType order.
using ContentBody = std::variant<Bytes, Proposal, Commit>;

// ContentTypeOf is the ContentType that `body`'s alternative stands for.
ContentType ContentTypeOf(const ContentBody& body);

// RFC 9420 §6: struct { opaque group_id<V>; uint64 epoch; Sender sender;
//   opaque authenticated_data<V>; ContentType content_type;
//   select (FramedContent.content_type) { case application: opaque application_data<V>;
//     case proposal: Proposal proposal; case commit: Commit commit; }; } FramedContent;
struct FramedContent {
  Bytes group_id;
  uint64_t epoch = 0;
  Sender sender;
  Bytes authenticated_data;
  ContentBody content;  // its alternative is the content_type

  // content_type is the ContentType of `content`.
  ContentType content_type() const { return ContentTypeOf(content); }

  // Decode reads a FramedContent; an unknown content_type is kMalformed.
  static Result<FramedContent> Decode(tls::Reader& r);
  // Encode writes the FramedContent.
  void Encode(tls::Writer& w) const;
  bool operator==(const FramedContent&) const = default;
};

// RFC 9420 §6.1: struct { opaque signature<V>; select (FramedContent.content_type) {
//   case commit: MAC confirmation_tag; case application: case proposal: struct{}; };
// } FramedContentAuthData;
// The select depends on the enclosing content, so Decode and Encode take its content_type.
struct FramedContentAuthData {
  Bytes signature;
  Bytes confirmation_tag;  // commit only

  // Decode reads a FramedContentAuthData for content of type `content_type`.
  static Result<FramedContentAuthData> Decode(tls::Reader& r, ContentType content_type);
  // Encode writes the FramedContentAuthData; confirmation_tag only for a commit.
  void Encode(tls::Writer& w, ContentType content_type) const;
  bool operator==(const FramedContentAuthData&) const = default;
};

// RFC 9420 §6.1: struct { ProtocolVersion version = mls10; WireFormat wire_format;
//   FramedContent content; select (FramedContentTBS.content.sender.sender_type) {
//     case member: case new_member_commit: GroupContext context;
//     case external: case new_member_proposal: struct{}; }; } FramedContentTBS;
struct FramedContentTBS {
  ProtocolVersion version = ProtocolVersion::mls10;
  WireFormat wire_format = WireFormat::mls_public_message;
  FramedContent content;
  GroupContext context;  // member and new_member_commit senders only

  // Decode reads a FramedContentTBS; version must be mls10 and wire_format one of
  // mls_public_message / mls_private_message, else kMalformed.
  static Result<FramedContentTBS> Decode(tls::Reader& r);
  // Encode writes the to-be-signed bytes for SignWithLabel(., "FramedContentTBS", .).
  void Encode(tls::Writer& w) const;
  bool operator==(const FramedContentTBS&) const = default;
};

// RFC 9420 §6: struct { WireFormat wire_format; FramedContent content;
//   FramedContentAuthData auth; } AuthenticatedContent;
struct AuthenticatedContent {
  WireFormat wire_format = WireFormat::mls_public_message;
  FramedContent content;
  FramedContentAuthData auth;

  // Decode reads an AuthenticatedContent; wire_format must be mls_public_message or
  // mls_private_message, else kMalformed.
  static Result<AuthenticatedContent> Decode(tls::Reader& r);
  // Encode writes the AuthenticatedContent (the input of MakeProposalRef and of the
  // transcript hashes).
  void Encode(tls::Writer& w) const;
  bool operator==(const AuthenticatedContent&) const = default;
};

// RFC 9420 §6.2: struct { FramedContentTBS content_tbs; FramedContentAuthData auth; }
// AuthenticatedContentTBM;  membership_tag = MAC(membership_key, AuthenticatedContentTBM).
struct AuthenticatedContentTBM {
  FramedContentTBS content_tbs;
  FramedContentAuthData auth;

  // Decode reads an AuthenticatedContentTBM; kMalformed names the field on bad input.
  static Result<AuthenticatedContentTBM> Decode(tls::Reader& r);
  // Encode writes the AuthenticatedContentTBM.
  void Encode(tls::Writer& w) const;
  bool operator==(const AuthenticatedContentTBM&) const = default;
};

// RFC 9420 §6.2: struct { FramedContent content; FramedContentAuthData auth;
//   select (PublicMessage.content.sender.sender_type) { case member: MAC membership_tag;
//     case external: case new_member_commit: case new_member_proposal: struct{}; };
// } PublicMessage;
struct PublicMessage {
  FramedContent content;
  FramedContentAuthData auth;
  Bytes membership_tag;  // member senders only

  // Decode reads a PublicMessage; kMalformed names the field on bad input.
  static Result<PublicMessage> Decode(tls::Reader& r);
  // Encode writes the PublicMessage; membership_tag only for a member sender.
  void Encode(tls::Writer& w) const;
  bool operator==(const PublicMessage&) const = default;
};

// RFC 9420 §6.3: struct { opaque group_id<V>; uint64 epoch; ContentType content_type;
//   opaque authenticated_data<V>; opaque encrypted_sender_data<V>; opaque ciphertext<V>;
// } PrivateMessage;
struct PrivateMessage {
  Bytes group_id;
  uint64_t epoch = 0;
  ContentType content_type = ContentType::application;
  Bytes authenticated_data;
  Bytes encrypted_sender_data;
  Bytes ciphertext;

  // Decode reads a PrivateMessage; an unknown content_type is kMalformed.
  static Result<PrivateMessage> Decode(tls::Reader& r);
  // Encode writes the PrivateMessage.
  void Encode(tls::Writer& w) const;
  bool operator==(const PrivateMessage&) const = default;
};

// RFC 9420 §6.3.1: struct { select (PrivateMessage.content_type) {
//   case application: opaque application_data<V>; case proposal: Proposal proposal;
//   case commit: Commit commit; }; FramedContentAuthData auth;
//   opaque padding[length_of_padding]; } PrivateMessageContent;
// The padding runs to the end of the plaintext, so Decode takes the whole decrypted
// plaintext and the content_type of the enclosing PrivateMessage.
struct PrivateMessageContent {
  ContentBody content;  // its alternative is the content_type
  FramedContentAuthData auth;
  size_t length_of_padding = 0;  // zero bytes appended after auth

  // Decode parses the whole `plaintext` as content of type `content_type`; any non-zero
  // padding byte is kMalformed (§6.3.1). Keeps no reference to `plaintext`.
  static Result<PrivateMessageContent> Decode(ByteView plaintext, ContentType content_type);
  // Encode writes content, auth, and length_of_padding zero bytes.
  void Encode(tls::Writer& w) const;
  bool operator==(const PrivateMessageContent&) const = default;
};

// RFC 9420 §6.3.1: struct { opaque group_id<V>; uint64 epoch; ContentType content_type;
//   opaque authenticated_data<V>; } PrivateContentAAD;
struct PrivateContentAAD {
  Bytes group_id;
  uint64_t epoch = 0;
  ContentType content_type = ContentType::application;
  Bytes authenticated_data;

  // Decode reads a PrivateContentAAD; an unknown content_type is kMalformed.
  static Result<PrivateContentAAD> Decode(tls::Reader& r);
  // Encode writes the PrivateContentAAD.
  void Encode(tls::Writer& w) const;
  bool operator==(const PrivateContentAAD&) const = default;
};

// RFC 9420 §6.3.2: struct { uint32 leaf_index; uint32 generation; opaque reuse_guard[4]; }
// SenderData;
struct SenderData {
  uint32_t leaf_index = 0;
  uint32_t generation = 0;
  std::array<uint8_t, 4> reuse_guard{};

  // Decode reads a SenderData; kMalformed if truncated.
  static Result<SenderData> Decode(tls::Reader& r);
  // Encode writes the SenderData.
  void Encode(tls::Writer& w) const;
  bool operator==(const SenderData&) const = default;
};

// RFC 9420 §6.3.2: struct { opaque group_id<V>; uint64 epoch; ContentType content_type; }
// SenderDataAAD;
struct SenderDataAAD {
  Bytes group_id;
  uint64_t epoch = 0;
  ContentType content_type = ContentType::application;

  // Decode reads a SenderDataAAD; an unknown content_type is kMalformed.
  static Result<SenderDataAAD> Decode(tls::Reader& r);
  // Encode writes the SenderDataAAD.
  void Encode(tls::Writer& w) const;
  bool operator==(const SenderDataAAD&) const = default;
};

// RFC 9420 §8.2: struct { WireFormat wire_format; FramedContent content; /* commit */
//   opaque signature<V>; } ConfirmedTranscriptHashInput;
struct ConfirmedTranscriptHashInput {
  WireFormat wire_format = WireFormat::mls_public_message;
  FramedContent content;  // content_type must be commit
  Bytes signature;

  // Decode reads a ConfirmedTranscriptHashInput; a wire_format other than public/private
  // message or content that is not a commit is kMalformed.
  static Result<ConfirmedTranscriptHashInput> Decode(tls::Reader& r);
  // Encode writes the ConfirmedTranscriptHashInput.
  void Encode(tls::Writer& w) const;
  bool operator==(const ConfirmedTranscriptHashInput&) const = default;
};

// RFC 9420 §8.2: struct { MAC confirmation_tag; } InterimTranscriptHashInput;
struct InterimTranscriptHashInput {
  Bytes confirmation_tag;

  // Decode reads an InterimTranscriptHashInput; kMalformed names the field on bad input.
  static Result<InterimTranscriptHashInput> Decode(tls::Reader& r);
  // Encode writes the InterimTranscriptHashInput.
  void Encode(tls::Writer& w) const;
  bool operator==(const InterimTranscriptHashInput&) const = default;
};

}  // namespace candor::mls
