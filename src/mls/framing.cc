#include "candor/mls/framing.h"

#include "codec_internal.h"

namespace candor::mls {
namespace {

using internal::ReadOpaqueV;

Result<ContentType> DecodeContentType(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint8_t type, r.U8(field));
  if (type < static_cast<uint8_t>(ContentType::application) ||
      type > static_cast<uint8_t>(ContentType::commit)) {
    return internal::UnknownValue(field, type);
  }
  return static_cast<ContentType>(type);
}

// DecodeWireFormat reads a WireFormat; `allow_all` admits every MLSMessage format, otherwise
// only the two that frame content (public and private message).
Result<WireFormat> DecodeWireFormat(tls::Reader& r, std::string_view field, bool allow_all) {
  CANDOR_ASSIGN_OR_RETURN(uint16_t format, r.U16(field));
  const uint16_t last = allow_all ? static_cast<uint16_t>(WireFormat::mls_key_package)
                                  : static_cast<uint16_t>(WireFormat::mls_private_message);
  if (format < static_cast<uint16_t>(WireFormat::mls_public_message) || format > last) {
    return internal::UnknownValue(field, format);
  }
  return static_cast<WireFormat>(format);
}

Status DecodeVersion(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint16_t version, r.U16(field));
  if (version != static_cast<uint16_t>(ProtocolVersion::mls10)) {
    return internal::UnknownValue(field, version);
  }
  return OkStatus();
}

// DecodeContentBody reads the `select (content_type)` shared by FramedContent and
// PrivateMessageContent.
Result<ContentBody> DecodeContentBody(tls::Reader& r, ContentType type, std::string_view field) {
  switch (type) {
    case ContentType::application: {
      CANDOR_ASSIGN_OR_RETURN(Bytes data, ReadOpaqueV(r, field));
      return ContentBody(std::in_place_index<0>, std::move(data));
    }
    case ContentType::proposal: {
      CANDOR_ASSIGN_OR_RETURN(Proposal proposal, Proposal::Decode(r));
      return ContentBody(std::in_place_index<1>, std::move(proposal));
    }
    case ContentType::commit: {
      CANDOR_ASSIGN_OR_RETURN(Commit commit, Commit::Decode(r));
      return ContentBody(std::in_place_index<2>, std::move(commit));
    }
  }
  return internal::UnknownValue(field, static_cast<unsigned>(type));
}

void EncodeContentBody(tls::Writer& w, const ContentBody& body) {
  if (const auto* data = std::get_if<0>(&body)) {
    w.OpaqueV(*data);
  } else if (const auto* proposal = std::get_if<1>(&body)) {
    proposal->Encode(w);
  } else {
    std::get<2>(body).Encode(w);
  }
}

}  // namespace

ContentType ContentTypeOf(const ContentBody& body) {
  // The alternatives are declared in ContentType order, starting at application = 1.
  return static_cast<ContentType>(body.index() + 1);
}

Result<Sender> Sender::Decode(tls::Reader& r) {
  Sender s;
  CANDOR_ASSIGN_OR_RETURN(uint8_t type, r.U8("Sender.sender_type"));
  switch (type) {
    case static_cast<uint8_t>(SenderType::member): {
      s.sender_type = SenderType::member;
      CANDOR_ASSIGN_OR_RETURN(s.leaf_index, r.U32("Sender.leaf_index"));
      return s;
    }
    case static_cast<uint8_t>(SenderType::external): {
      s.sender_type = SenderType::external;
      CANDOR_ASSIGN_OR_RETURN(s.sender_index, r.U32("Sender.sender_index"));
      return s;
    }
    case static_cast<uint8_t>(SenderType::new_member_proposal):
      s.sender_type = SenderType::new_member_proposal;
      return s;
    case static_cast<uint8_t>(SenderType::new_member_commit):
      s.sender_type = SenderType::new_member_commit;
      return s;
    default:
      return internal::UnknownValue("Sender.sender_type", type);
  }
}

void Sender::Encode(tls::Writer& w) const {
  w.U8(static_cast<uint8_t>(sender_type));
  if (sender_type == SenderType::member) w.U32(leaf_index);
  if (sender_type == SenderType::external) w.U32(sender_index);
}

Result<FramedContent> FramedContent::Decode(tls::Reader& r) {
  FramedContent c;
  CANDOR_ASSIGN_OR_RETURN(c.group_id, ReadOpaqueV(r, "FramedContent.group_id"));
  CANDOR_ASSIGN_OR_RETURN(c.epoch, r.U64("FramedContent.epoch"));
  CANDOR_ASSIGN_OR_RETURN(c.sender, Sender::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(c.authenticated_data, ReadOpaqueV(r, "FramedContent.authenticated_data"));
  CANDOR_ASSIGN_OR_RETURN(ContentType type, DecodeContentType(r, "FramedContent.content_type"));
  CANDOR_ASSIGN_OR_RETURN(c.content, DecodeContentBody(r, type, "FramedContent.application_data"));
  return c;
}

void FramedContent::Encode(tls::Writer& w) const {
  w.OpaqueV(group_id);
  w.U64(epoch);
  sender.Encode(w);
  w.OpaqueV(authenticated_data);
  w.U8(static_cast<uint8_t>(content_type()));
  EncodeContentBody(w, content);
}

Result<FramedContentAuthData> FramedContentAuthData::Decode(tls::Reader& r,
                                                            ContentType content_type) {
  FramedContentAuthData a;
  CANDOR_ASSIGN_OR_RETURN(a.signature, ReadOpaqueV(r, "FramedContentAuthData.signature"));
  if (content_type == ContentType::commit) {
    CANDOR_ASSIGN_OR_RETURN(a.confirmation_tag,
                            ReadOpaqueV(r, "FramedContentAuthData.confirmation_tag"));
  }
  return a;
}

void FramedContentAuthData::Encode(tls::Writer& w, ContentType content_type) const {
  w.OpaqueV(signature);
  if (content_type == ContentType::commit) w.OpaqueV(confirmation_tag);
}

namespace {

bool HasGroupContext(SenderType type) {
  return type == SenderType::member || type == SenderType::new_member_commit;
}

}  // namespace

Result<FramedContentTBS> FramedContentTBS::Decode(tls::Reader& r) {
  FramedContentTBS t;
  CANDOR_TRY(DecodeVersion(r, "FramedContentTBS.version"));
  CANDOR_ASSIGN_OR_RETURN(t.wire_format,
                          DecodeWireFormat(r, "FramedContentTBS.wire_format", false));
  CANDOR_ASSIGN_OR_RETURN(t.content, FramedContent::Decode(r));
  if (HasGroupContext(t.content.sender.sender_type)) {
    CANDOR_ASSIGN_OR_RETURN(t.context, GroupContext::Decode(r));
  }
  return t;
}

void FramedContentTBS::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(version));
  w.U16(static_cast<uint16_t>(wire_format));
  content.Encode(w);
  if (HasGroupContext(content.sender.sender_type)) context.Encode(w);
}

Result<AuthenticatedContent> AuthenticatedContent::Decode(tls::Reader& r) {
  AuthenticatedContent a;
  CANDOR_ASSIGN_OR_RETURN(a.wire_format,
                          DecodeWireFormat(r, "AuthenticatedContent.wire_format", false));
  CANDOR_ASSIGN_OR_RETURN(a.content, FramedContent::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(a.auth, FramedContentAuthData::Decode(r, a.content.content_type()));
  return a;
}

void AuthenticatedContent::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(wire_format));
  content.Encode(w);
  auth.Encode(w, content.content_type());
}

Result<AuthenticatedContentTBM> AuthenticatedContentTBM::Decode(tls::Reader& r) {
  AuthenticatedContentTBM t;
  CANDOR_ASSIGN_OR_RETURN(t.content_tbs, FramedContentTBS::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(t.auth,
                          FramedContentAuthData::Decode(r, t.content_tbs.content.content_type()));
  return t;
}

void AuthenticatedContentTBM::Encode(tls::Writer& w) const {
  content_tbs.Encode(w);
  auth.Encode(w, content_tbs.content.content_type());
}

Result<PublicMessage> PublicMessage::Decode(tls::Reader& r) {
  PublicMessage m;
  CANDOR_ASSIGN_OR_RETURN(m.content, FramedContent::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(m.auth, FramedContentAuthData::Decode(r, m.content.content_type()));
  if (m.content.sender.sender_type == SenderType::member) {
    CANDOR_ASSIGN_OR_RETURN(m.membership_tag, ReadOpaqueV(r, "PublicMessage.membership_tag"));
  }
  return m;
}

void PublicMessage::Encode(tls::Writer& w) const {
  content.Encode(w);
  auth.Encode(w, content.content_type());
  if (content.sender.sender_type == SenderType::member) w.OpaqueV(membership_tag);
}

Result<PrivateMessage> PrivateMessage::Decode(tls::Reader& r) {
  PrivateMessage m;
  CANDOR_ASSIGN_OR_RETURN(m.group_id, ReadOpaqueV(r, "PrivateMessage.group_id"));
  CANDOR_ASSIGN_OR_RETURN(m.epoch, r.U64("PrivateMessage.epoch"));
  CANDOR_ASSIGN_OR_RETURN(m.content_type, DecodeContentType(r, "PrivateMessage.content_type"));
  CANDOR_ASSIGN_OR_RETURN(m.authenticated_data,
                          ReadOpaqueV(r, "PrivateMessage.authenticated_data"));
  CANDOR_ASSIGN_OR_RETURN(m.encrypted_sender_data,
                          ReadOpaqueV(r, "PrivateMessage.encrypted_sender_data"));
  CANDOR_ASSIGN_OR_RETURN(m.ciphertext, ReadOpaqueV(r, "PrivateMessage.ciphertext"));
  return m;
}

void PrivateMessage::Encode(tls::Writer& w) const {
  w.OpaqueV(group_id);
  w.U64(epoch);
  w.U8(static_cast<uint8_t>(content_type));
  w.OpaqueV(authenticated_data);
  w.OpaqueV(encrypted_sender_data);
  w.OpaqueV(ciphertext);
}

Result<PrivateMessageContent> PrivateMessageContent::Decode(ByteView plaintext,
                                                            ContentType content_type) {
  tls::Reader r(plaintext);
  PrivateMessageContent c;
  CANDOR_ASSIGN_OR_RETURN(
      c.content, DecodeContentBody(r, content_type, "PrivateMessageContent.application_data"));
  CANDOR_ASSIGN_OR_RETURN(c.auth, FramedContentAuthData::Decode(r, content_type));
  c.length_of_padding = r.remaining();
  CANDOR_ASSIGN_OR_RETURN(ByteView padding, r.Fixed(c.length_of_padding, "padding"));
  // Fold every byte in, so the time taken does not depend on where a non-zero byte sits.
  uint8_t any = 0;
  for (uint8_t b : padding) any |= b;
  if (any != 0) {
    return MakeError(Errc::kMalformed, "PrivateMessageContent.padding: non-zero byte");
  }
  return c;
}

void PrivateMessageContent::Encode(tls::Writer& w) const {
  EncodeContentBody(w, content);
  auth.Encode(w, ContentTypeOf(content));
  for (size_t i = 0; i < length_of_padding; ++i) w.U8(0);
}

Result<PrivateContentAAD> PrivateContentAAD::Decode(tls::Reader& r) {
  PrivateContentAAD a;
  CANDOR_ASSIGN_OR_RETURN(a.group_id, ReadOpaqueV(r, "PrivateContentAAD.group_id"));
  CANDOR_ASSIGN_OR_RETURN(a.epoch, r.U64("PrivateContentAAD.epoch"));
  CANDOR_ASSIGN_OR_RETURN(a.content_type, DecodeContentType(r, "PrivateContentAAD.content_type"));
  CANDOR_ASSIGN_OR_RETURN(a.authenticated_data,
                          ReadOpaqueV(r, "PrivateContentAAD.authenticated_data"));
  return a;
}

void PrivateContentAAD::Encode(tls::Writer& w) const {
  w.OpaqueV(group_id);
  w.U64(epoch);
  w.U8(static_cast<uint8_t>(content_type));
  w.OpaqueV(authenticated_data);
}

Result<SenderData> SenderData::Decode(tls::Reader& r) {
  SenderData s;
  CANDOR_ASSIGN_OR_RETURN(s.leaf_index, r.U32("SenderData.leaf_index"));
  CANDOR_ASSIGN_OR_RETURN(s.generation, r.U32("SenderData.generation"));
  CANDOR_ASSIGN_OR_RETURN(ByteView guard, r.Fixed(s.reuse_guard.size(), "SenderData.reuse_guard"));
  std::copy(guard.begin(), guard.end(), s.reuse_guard.begin());
  return s;
}

void SenderData::Encode(tls::Writer& w) const {
  w.U32(leaf_index);
  w.U32(generation);
  w.Raw(reuse_guard);
}

Result<SenderDataAAD> SenderDataAAD::Decode(tls::Reader& r) {
  SenderDataAAD a;
  CANDOR_ASSIGN_OR_RETURN(a.group_id, ReadOpaqueV(r, "SenderDataAAD.group_id"));
  CANDOR_ASSIGN_OR_RETURN(a.epoch, r.U64("SenderDataAAD.epoch"));
  CANDOR_ASSIGN_OR_RETURN(a.content_type, DecodeContentType(r, "SenderDataAAD.content_type"));
  return a;
}

void SenderDataAAD::Encode(tls::Writer& w) const {
  w.OpaqueV(group_id);
  w.U64(epoch);
  w.U8(static_cast<uint8_t>(content_type));
}

Result<ConfirmedTranscriptHashInput> ConfirmedTranscriptHashInput::Decode(tls::Reader& r) {
  ConfirmedTranscriptHashInput in;
  CANDOR_ASSIGN_OR_RETURN(in.wire_format,
                          DecodeWireFormat(r, "ConfirmedTranscriptHashInput.wire_format", false));
  CANDOR_ASSIGN_OR_RETURN(in.content, FramedContent::Decode(r));
  if (in.content.content_type() != ContentType::commit) {
    return MakeError(Errc::kMalformed, "ConfirmedTranscriptHashInput.content: not a commit");
  }
  CANDOR_ASSIGN_OR_RETURN(in.signature, ReadOpaqueV(r, "ConfirmedTranscriptHashInput.signature"));
  return in;
}

void ConfirmedTranscriptHashInput::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(wire_format));
  content.Encode(w);
  w.OpaqueV(signature);
}

Result<InterimTranscriptHashInput> InterimTranscriptHashInput::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(Bytes tag, ReadOpaqueV(r, "InterimTranscriptHashInput.confirmation_tag"));
  return InterimTranscriptHashInput{std::move(tag)};
}

void InterimTranscriptHashInput::Encode(tls::Writer& w) const { w.OpaqueV(confirmation_tag); }

}  // namespace candor::mls
