// ratchet_compare.cc: per-message throughput of Candor's MLS application messages beside two
// ratchet libraries, in one binary and one run, 100-byte messages, the process pinned to one
// CPU (sched_setaffinity in main):
//   - Candor MLS, a 2-member group (suite 1: X25519, AES-128-GCM, SHA-256, Ed25519):
//     GroupState::Protect + encoding (AEAD + Ed25519 signature) and decoding + Unprotect.
//   - libolm: Olm (the 1:1 Double Ratchet) in a one-direction stream and in ping-pong (every
//     turn changes direction, so every message starts a DH ratchet step), and Megolm (the group
//     sender ratchet; messages carry an Ed25519 signature).
//   - libsignal-protocol-c: session_cipher (the Double Ratchet) in a stream and in ping-pong,
//     and group_cipher (Sender Keys; messages carry an XEdDSA signature). The library needs a
//     crypto provider and stores: this file implements them over OpenSSL (bench code only;
//     the library itself never reaches src/) and in memory.
// Every benchmark reports items_per_second = messages per second. Receivers take wire bytes
// (base64 for libolm, serialized protobuf for libsignal, an encoded MLSMessage for Candor).
// Results and command: docs/benchmarks.md ("1:1 throughput side by side").
#include <benchmark/benchmark.h>
#include <olm/inbound_group_session.h>
#include <olm/olm.h>
#include <olm/outbound_group_session.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sched.h>
#include <signal/group_cipher.h>
#include <signal/group_session_builder.h>
#include <signal/key_helper.h>
#include <signal/protocol.h>
#include <signal/ratchet.h>
#include <signal/session_builder.h>
#include <signal/session_cipher.h>
#include <signal/session_pre_key.h>
#include <signal/signal_protocol.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/tls.h"
#include "candor/crypto/random.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/mls_message.h"

namespace {

using candor::Bytes;
using candor::ByteView;

constexpr size_t kMessageLen = 100;
// Receivers decrypt batches made outside the timed region, this many messages at a time.
constexpr size_t kBatch = 256;

[[noreturn]] void Die(const std::string& what) {
  (void)std::fprintf(stderr, "ratchet_compare: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T Must(candor::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().ToString());
  return std::move(r).value();
}

Bytes RandomBytes(size_t len) {
  Bytes b(len);
  if (len > 0) candor::crypto::FillRandom(b.data(), b.size());
  return b;
}

const Bytes& Plaintext() {
  static const Bytes kPlaintext(kMessageLen, 0x61);
  return kPlaintext;
}

// ---- Candor MLS ----

namespace mls = candor::mls;

struct CandorPair {
  std::optional<mls::GroupState> a;
  std::optional<mls::GroupState> b;
};

mls::KeyPackageWithKeys MakeKeyPackage(const mls::CipherSuiteParams& cs, const char* name,
                                       mls::KeyPackagePrivateKeys& keys) {
  auto signer = candor::crypto::SignaturePrivateKey::Generate(cs.signature);
  mls::Credential credential;
  credential.identity.assign(name, name + std::strlen(name));
  auto kp = Must(mls::CreateKeyPackage(cs, signer, credential,
                                       mls::Lifetime{0, std::numeric_limits<uint64_t>::max()}),
                 "CreateKeyPackage");
  keys = {kp.init_private_key.Clone(), kp.encryption_private_key.Clone(),
          candor::SecretBytes(signer.private_key())};
  return kp;
}

// MakeCandorPair builds a 2-member group: A creates it and adds B, B joins from the Welcome.
CandorPair MakeCandorPair() {
  const mls::CipherSuiteParams& cs = *Must(
      mls::GetCipherSuiteParams(mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519),
      "GetCipherSuiteParams");
  mls::KeyPackagePrivateKeys keys_a, keys_b;
  auto kp_a = MakeKeyPackage(cs, "alice", keys_a);
  auto kp_b = MakeKeyPackage(cs, "bob", keys_b);
  CandorPair pair;
  pair.a.emplace(Must(mls::GroupState::CreateGroup(kp_a.key_package, keys_a, Bytes{'c', 'm', 'p'}),
                      "CreateGroup"));
  auto r = Must(pair.a->Commit({mls::Proposal{mls::Add{kp_b.key_package}}}), "Commit (add)");
  pair.b.emplace(Must(
      mls::GroupState::JoinFromWelcome(
          kp_b.key_package, keys_b, std::get<mls::Welcome>(r.welcome->message), std::nullopt, {}),
      "JoinFromWelcome"));
  pair.a.emplace(std::move(r.next));
  return pair;
}

Bytes CandorSend(mls::GroupState& from) {
  mls::MLSMessage m = Must(from.Protect(Plaintext()), "Protect");
  candor::tls::Writer w;
  m.Encode(w);
  return w.Take();
}

void CandorReceive(mls::GroupState& to, ByteView wire) {
  auto m = Must(candor::tls::DecodeExact<mls::MLSMessage>(wire), "MLSMessage::Decode");
  auto got = Must(to.Unprotect(m), "Unprotect");
  if (got.application_data.size() != kMessageLen) Die("Unprotect: wrong length");
}

void BM_Candor_Protect(benchmark::State& state) {
  CandorPair p = MakeCandorPair();
  for ([[maybe_unused]] auto _ : state) benchmark::DoNotOptimize(CandorSend(*p.a).data());
  state.SetItemsProcessed(state.iterations());
}

void BM_Candor_Unprotect(benchmark::State& state) {
  CandorPair p = MakeCandorPair();
  std::vector<Bytes> batch;
  size_t next = 0;
  for ([[maybe_unused]] auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (size_t i = 0; i < kBatch; ++i) batch.push_back(CandorSend(*p.a));
      next = 0;
      state.ResumeTiming();
    }
    CandorReceive(*p.b, batch[next++]);
  }
  state.SetItemsProcessed(state.iterations());
}

// One iteration = one message (Protect + Unprotect), alternating direction.
void BM_Candor_PingPong(benchmark::State& state) {
  CandorPair p = MakeCandorPair();
  bool a_sends = true;
  for ([[maybe_unused]] auto _ : state) {
    mls::GroupState& from = a_sends ? *p.a : *p.b;
    mls::GroupState& to = a_sends ? *p.b : *p.a;
    CandorReceive(to, CandorSend(from));
    a_sends = !a_sends;
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- libolm: Olm and Megolm ----

// OlmBuf is malloc'd memory for one libolm object (libolm objects live in caller memory).
struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using OlmBuf = std::unique_ptr<void, FreeDeleter>;

OlmBuf Alloc(size_t size) {
  void* p = std::malloc(size);
  if (p == nullptr) Die("malloc");
  return OlmBuf(p);
}

void CheckOlm(size_t r, const char* what, const char* last_error) {
  if (r == olm_error()) Die(std::string(what) + ": " + last_error);
}

// OlmPair is two accounts with an established Olm session each way (both sides have received
// a message, so every later message is a normal, not a pre-key, message).
struct OlmPair {
  OlmBuf account_mem_a, account_mem_b, session_mem_a, session_mem_b;
  OlmAccount* account_a = nullptr;
  OlmAccount* account_b = nullptr;
  OlmSession* a = nullptr;
  OlmSession* b = nullptr;
};

OlmAccount* NewAccount(OlmBuf& mem) {
  mem = Alloc(olm_account_size());
  OlmAccount* acc = olm_account(mem.get());
  Bytes rnd = RandomBytes(olm_create_account_random_length(acc));
  CheckOlm(olm_create_account(acc, rnd.data(), rnd.size()), "olm_create_account",
           olm_account_last_error(acc));
  return acc;
}

// OlmEncrypt encrypts the plaintext; returns (message type, base64 message).
std::pair<size_t, std::string> OlmEncrypt(OlmSession* s) {
  const size_t type = olm_encrypt_message_type(s);
  Bytes rnd = RandomBytes(olm_encrypt_random_length(s));
  std::string msg(olm_encrypt_message_length(s, kMessageLen), '\0');
  CheckOlm(olm_encrypt(s, Plaintext().data(), kMessageLen, rnd.data(), rnd.size(), msg.data(),
                       msg.size()),
           "olm_encrypt", olm_session_last_error(s));
  return {type, std::move(msg)};
}

void OlmDecrypt(OlmSession* s, size_t type, const std::string& msg) {
  std::string copy = msg;  // olm_decrypt decodes the base64 in place
  Bytes pt(msg.size());
  const size_t n = olm_decrypt(s, type, copy.data(), copy.size(), pt.data(), pt.size());
  CheckOlm(n, "olm_decrypt", olm_session_last_error(s));
  if (n != kMessageLen) Die("olm_decrypt: wrong length");
}

std::unique_ptr<OlmPair> MakeOlmPair() {
  auto p = std::make_unique<OlmPair>();
  p->account_a = NewAccount(p->account_mem_a);
  p->account_b = NewAccount(p->account_mem_b);
  // B publishes its identity key and one one-time key (JSON, as libolm returns them).
  std::string ids(olm_account_identity_keys_length(p->account_b), '\0');
  CheckOlm(olm_account_identity_keys(p->account_b, ids.data(), ids.size()), "identity_keys",
           olm_account_last_error(p->account_b));
  Bytes rnd = RandomBytes(olm_account_generate_one_time_keys_random_length(p->account_b, 1));
  CheckOlm(olm_account_generate_one_time_keys(p->account_b, 1, rnd.data(), rnd.size()),
           "generate_one_time_keys", olm_account_last_error(p->account_b));
  std::string otks(olm_account_one_time_keys_length(p->account_b), '\0');
  CheckOlm(olm_account_one_time_keys(p->account_b, otks.data(), otks.size()), "one_time_keys",
           olm_account_last_error(p->account_b));
  const std::string id_key = nlohmann::json::parse(ids).at("curve25519").get<std::string>();
  const std::string otk = nlohmann::json::parse(otks).at("curve25519").begin()->get<std::string>();

  p->session_mem_a = Alloc(olm_session_size());
  p->a = olm_session(p->session_mem_a.get());
  rnd = RandomBytes(olm_create_outbound_session_random_length(p->a));
  CheckOlm(olm_create_outbound_session(p->a, p->account_a, id_key.data(), id_key.size(), otk.data(),
                                       otk.size(), rnd.data(), rnd.size()),
           "create_outbound_session", olm_session_last_error(p->a));
  auto [type, first] = OlmEncrypt(p->a);
  if (type != OLM_MESSAGE_TYPE_PRE_KEY) Die("first Olm message is not a pre-key message");
  p->session_mem_b = Alloc(olm_session_size());
  p->b = olm_session(p->session_mem_b.get());
  std::string copy = first;
  CheckOlm(olm_create_inbound_session(p->b, p->account_b, copy.data(), copy.size()),
           "create_inbound_session", olm_session_last_error(p->b));
  OlmDecrypt(p->b, type, first);
  auto [reply_type, reply] = OlmEncrypt(p->b);
  OlmDecrypt(p->a, reply_type, reply);
  return p;
}

void BM_Olm_Encrypt_Stream(benchmark::State& state) {
  auto p = MakeOlmPair();
  for ([[maybe_unused]] auto _ : state) benchmark::DoNotOptimize(OlmEncrypt(p->a).second.data());
  state.SetItemsProcessed(state.iterations());
}

void BM_Olm_Decrypt_Stream(benchmark::State& state) {
  auto p = MakeOlmPair();
  std::vector<std::pair<size_t, std::string>> batch;
  size_t next = 0;
  for ([[maybe_unused]] auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (size_t i = 0; i < kBatch; ++i) batch.push_back(OlmEncrypt(p->a));
      next = 0;
      state.ResumeTiming();
    }
    OlmDecrypt(p->b, batch[next].first, batch[next].second);
    ++next;
  }
  state.SetItemsProcessed(state.iterations());
}

// One iteration = one message (encrypt + decrypt), alternating direction: each encryption
// generates a new ratchet key and each decryption runs the DH ratchet step.
void BM_Olm_PingPong(benchmark::State& state) {
  auto p = MakeOlmPair();
  bool a_sends = true;
  for ([[maybe_unused]] auto _ : state) {
    OlmSession* from = a_sends ? p->a : p->b;
    OlmSession* to = a_sends ? p->b : p->a;
    auto [type, msg] = OlmEncrypt(from);
    OlmDecrypt(to, type, msg);
    a_sends = !a_sends;
  }
  state.SetItemsProcessed(state.iterations());
}

// Stream round trip: one iteration = one message encrypted by A and decrypted by B.
void BM_Olm_StreamRoundTrip(benchmark::State& state) {
  auto p = MakeOlmPair();
  for ([[maybe_unused]] auto _ : state) {
    auto [type, msg] = OlmEncrypt(p->a);
    OlmDecrypt(p->b, type, msg);
  }
  state.SetItemsProcessed(state.iterations());
}

struct MegolmPair {
  OlmBuf out_mem, in_mem;
  OlmOutboundGroupSession* out = nullptr;
  OlmInboundGroupSession* in = nullptr;
};

std::unique_ptr<MegolmPair> MakeMegolmPair() {
  auto p = std::make_unique<MegolmPair>();
  p->out_mem = Alloc(olm_outbound_group_session_size());
  p->out = olm_outbound_group_session(p->out_mem.get());
  Bytes rnd = RandomBytes(olm_init_outbound_group_session_random_length(p->out));
  CheckOlm(olm_init_outbound_group_session(p->out, rnd.data(), rnd.size()),
           "init_outbound_group_session", olm_outbound_group_session_last_error(p->out));
  std::string key(olm_outbound_group_session_key_length(p->out), '\0');
  CheckOlm(
      olm_outbound_group_session_key(p->out, reinterpret_cast<uint8_t*>(key.data()), key.size()),
      "outbound_group_session_key", olm_outbound_group_session_last_error(p->out));
  p->in_mem = Alloc(olm_inbound_group_session_size());
  p->in = olm_inbound_group_session(p->in_mem.get());
  CheckOlm(olm_init_inbound_group_session(p->in, reinterpret_cast<const uint8_t*>(key.data()),
                                          key.size()),
           "init_inbound_group_session", olm_inbound_group_session_last_error(p->in));
  return p;
}

std::string MegolmEncrypt(OlmOutboundGroupSession* s) {
  std::string msg(olm_group_encrypt_message_length(s, kMessageLen), '\0');
  CheckOlm(olm_group_encrypt(s, Plaintext().data(), kMessageLen,
                             reinterpret_cast<uint8_t*>(msg.data()), msg.size()),
           "olm_group_encrypt", olm_outbound_group_session_last_error(s));
  return msg;
}

void MegolmDecrypt(OlmInboundGroupSession* s, const std::string& msg) {
  std::string copy = msg;  // decoded in place
  Bytes pt(msg.size());
  uint32_t index = 0;
  const size_t n = olm_group_decrypt(s, reinterpret_cast<uint8_t*>(copy.data()), copy.size(),
                                     pt.data(), pt.size(), &index);
  CheckOlm(n, "olm_group_decrypt", olm_inbound_group_session_last_error(s));
  if (n != kMessageLen) Die("olm_group_decrypt: wrong length");
}

void BM_Megolm_Encrypt(benchmark::State& state) {
  auto p = MakeMegolmPair();
  for ([[maybe_unused]] auto _ : state) benchmark::DoNotOptimize(MegolmEncrypt(p->out).data());
  state.SetItemsProcessed(state.iterations());
}

void BM_Megolm_Decrypt(benchmark::State& state) {
  auto p = MakeMegolmPair();
  std::vector<std::string> batch;
  size_t next = 0;
  for ([[maybe_unused]] auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (size_t i = 0; i < kBatch; ++i) batch.push_back(MegolmEncrypt(p->out));
      next = 0;
      state.ResumeTiming();
    }
    MegolmDecrypt(p->in, batch[next++]);
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- libsignal-protocol-c: Double Ratchet (session_cipher) and Sender Keys (group_cipher) ----

void CheckSg(int r, const char* what) {
  if (r < 0) Die(std::string(what) + ": libsignal error " + std::to_string(r));
}

template <class T>
void Unref(T*& p) {
  if (p != nullptr) signal_type_unref(reinterpret_cast<signal_type_base*>(p));
  p = nullptr;
}

// The crypto provider: HMAC-SHA256, SHA-512, AES-CBC/PKCS#5 and AES-CTR, and random bytes over
// OpenSSL 3.0.
EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* const kMac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (kMac == nullptr) Die("EVP_MAC_fetch");
  return kMac;
}

int SgRandom(uint8_t* data, size_t len, void* /*user_data*/) {
  return RAND_bytes(data, static_cast<int>(len)) == 1 ? SG_SUCCESS : SG_ERR_UNKNOWN;
}

int SgHmacInit(void** hmac_context, const uint8_t* key, size_t key_len, void* /*user_data*/) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(HmacAlgorithm());
  if (ctx == nullptr) return SG_ERR_NOMEM;
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  static const uint8_t kEmpty = 0;
  if (EVP_MAC_init(ctx, key_len == 0 ? &kEmpty : key, key_len, params) != 1) {
    EVP_MAC_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *hmac_context = ctx;
  return SG_SUCCESS;
}

int SgHmacUpdate(void* hmac_context, const uint8_t* data, size_t data_len, void* /*user_data*/) {
  return EVP_MAC_update(static_cast<EVP_MAC_CTX*>(hmac_context), data, data_len) == 1
             ? SG_SUCCESS
             : SG_ERR_UNKNOWN;
}

int SgHmacFinal(void* hmac_context, signal_buffer** output, void* /*user_data*/) {
  uint8_t tag[32];
  size_t tag_len = 0;
  auto* ctx = static_cast<EVP_MAC_CTX*>(hmac_context);
  if (EVP_MAC_final(ctx, tag, &tag_len, sizeof(tag)) != 1) return SG_ERR_UNKNOWN;
  // Ready for another message under the same key.
  if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1) return SG_ERR_UNKNOWN;
  *output = signal_buffer_create(tag, tag_len);
  return *output != nullptr ? SG_SUCCESS : SG_ERR_NOMEM;
}

void SgHmacCleanup(void* hmac_context, void* /*user_data*/) {
  EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(hmac_context));
}

int SgSha512Init(void** digest_context, void* /*user_data*/) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return SG_ERR_NOMEM;
  if (EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return SG_ERR_UNKNOWN;
  }
  *digest_context = ctx;
  return SG_SUCCESS;
}

int SgSha512Update(void* digest_context, const uint8_t* data, size_t data_len,
                   void* /*user_data*/) {
  return EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(digest_context), data, data_len) == 1
             ? SG_SUCCESS
             : SG_ERR_UNKNOWN;
}

int SgSha512Final(void* digest_context, signal_buffer** output, void* /*user_data*/) {
  uint8_t md[64];
  unsigned int md_len = 0;
  auto* ctx = static_cast<EVP_MD_CTX*>(digest_context);
  if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1) return SG_ERR_UNKNOWN;
  if (EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) != 1) return SG_ERR_UNKNOWN;
  *output = signal_buffer_create(md, md_len);
  return *output != nullptr ? SG_SUCCESS : SG_ERR_NOMEM;
}

void SgSha512Cleanup(void* digest_context, void* /*user_data*/) {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(digest_context));
}

const EVP_CIPHER* AesCipher(int cipher, size_t key_len) {
  const bool ctr = cipher == SG_CIPHER_AES_CTR_NOPADDING;
  if (!ctr && cipher != SG_CIPHER_AES_CBC_PKCS5) return nullptr;
  switch (key_len) {
    case 16:
      return ctr ? EVP_aes_128_ctr() : EVP_aes_128_cbc();
    case 24:
      return ctr ? EVP_aes_192_ctr() : EVP_aes_192_cbc();
    case 32:
      return ctr ? EVP_aes_256_ctr() : EVP_aes_256_cbc();
    default:
      return nullptr;
  }
}

// SgCipher runs AES encryption (`enc` = 1) or decryption (0); CBC uses PKCS#5 padding.
int SgCipher(signal_buffer** output, int cipher, const uint8_t* key, size_t key_len,
             const uint8_t* iv, size_t iv_len, const uint8_t* in, size_t in_len, int enc) {
  const EVP_CIPHER* evp = AesCipher(cipher, key_len);
  if (evp == nullptr || iv_len != 16) return SG_ERR_UNKNOWN;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return SG_ERR_NOMEM;
  std::vector<uint8_t> out(in_len + 16);
  int len1 = 0, len2 = 0;
  const bool ok = EVP_CipherInit_ex(ctx, evp, nullptr, key, iv, enc) == 1 &&
                  EVP_CipherUpdate(ctx, out.data(), &len1, in, static_cast<int>(in_len)) == 1 &&
                  EVP_CipherFinal_ex(ctx, out.data() + len1, &len2) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return SG_ERR_UNKNOWN;
  *output = signal_buffer_create(out.data(), static_cast<size_t>(len1) + static_cast<size_t>(len2));
  return *output != nullptr ? SG_SUCCESS : SG_ERR_NOMEM;
}

int SgEncrypt(signal_buffer** output, int cipher, const uint8_t* key, size_t key_len,
              const uint8_t* iv, size_t iv_len, const uint8_t* plaintext, size_t plaintext_len,
              void* /*user_data*/) {
  return SgCipher(output, cipher, key, key_len, iv, iv_len, plaintext, plaintext_len, 1);
}

int SgDecrypt(signal_buffer** output, int cipher, const uint8_t* key, size_t key_len,
              const uint8_t* iv, size_t iv_len, const uint8_t* ciphertext, size_t ciphertext_len,
              void* /*user_data*/) {
  return SgCipher(output, cipher, key, key_len, iv, iv_len, ciphertext, ciphertext_len, 0);
}

signal_context* SignalContext() {
  static signal_context* const kContext = [] {
    signal_context* ctx = nullptr;
    CheckSg(signal_context_create(&ctx, nullptr), "signal_context_create");
    signal_crypto_provider provider{};
    provider.random_func = SgRandom;
    provider.hmac_sha256_init_func = SgHmacInit;
    provider.hmac_sha256_update_func = SgHmacUpdate;
    provider.hmac_sha256_final_func = SgHmacFinal;
    provider.hmac_sha256_cleanup_func = SgHmacCleanup;
    provider.sha512_digest_init_func = SgSha512Init;
    provider.sha512_digest_update_func = SgSha512Update;
    provider.sha512_digest_final_func = SgSha512Final;
    provider.sha512_digest_cleanup_func = SgSha512Cleanup;
    provider.encrypt_func = SgEncrypt;
    provider.decrypt_func = SgDecrypt;
    CheckSg(signal_context_set_crypto_provider(ctx, &provider), "set_crypto_provider");
    return ctx;
  }();
  return kContext;
}

// SignalUser is one party's in-memory stores (the serialized records libsignal loads and
// saves around every operation) and its identity.
struct SignalUser {
  std::string name;
  uint32_t registration_id = 0;
  ratchet_identity_key_pair* identity = nullptr;
  std::map<std::pair<std::string, int32_t>, Bytes> sessions;
  std::map<uint32_t, Bytes> pre_keys;
  std::map<uint32_t, Bytes> signed_pre_keys;
  std::map<std::tuple<std::string, std::string, int32_t>, Bytes> sender_keys;
  signal_protocol_store_context* store = nullptr;
  signal_protocol_address address{};
};

SignalUser& User(void* user_data) { return *static_cast<SignalUser*>(user_data); }

std::pair<std::string, int32_t> Key(const signal_protocol_address* a) {
  return {std::string(a->name, a->name_len), a->device_id};
}

int CopyOut(const Bytes& b, signal_buffer** out) {
  *out = signal_buffer_create(b.data(), b.size());
  return *out != nullptr ? SG_SUCCESS : SG_ERR_NOMEM;
}

int LoadSession(signal_buffer** record, signal_buffer** user_record,
                const signal_protocol_address* address, void* user_data) {
  *user_record = nullptr;
  auto& m = User(user_data).sessions;
  auto it = m.find(Key(address));
  if (it == m.end()) return 0;
  const int r = CopyOut(it->second, record);
  return r == SG_SUCCESS ? 1 : r;
}

int GetSubDeviceSessions(signal_int_list** sessions, const char* /*name*/, size_t /*name_len*/,
                         void* /*user_data*/) {
  *sessions = signal_int_list_alloc();
  return 0;
}

int StoreSession(const signal_protocol_address* address, uint8_t* record, size_t record_len,
                 uint8_t* /*user_record*/, size_t /*user_record_len*/, void* user_data) {
  User(user_data).sessions[Key(address)] = Bytes(record, record + record_len);
  return SG_SUCCESS;
}

int ContainsSession(const signal_protocol_address* address, void* user_data) {
  return User(user_data).sessions.count(Key(address)) != 0 ? 1 : 0;
}

int DeleteSession(const signal_protocol_address* address, void* user_data) {
  return User(user_data).sessions.erase(Key(address)) != 0 ? 1 : 0;
}

int DeleteAllSessions(const char* /*name*/, size_t /*name_len*/, void* /*user_data*/) { return 0; }

int LoadPreKey(signal_buffer** record, uint32_t id, void* user_data) {
  auto& m = User(user_data).pre_keys;
  auto it = m.find(id);
  return it == m.end() ? SG_ERR_INVALID_KEY_ID : CopyOut(it->second, record);
}

int StorePreKey(uint32_t id, uint8_t* record, size_t record_len, void* user_data) {
  User(user_data).pre_keys[id] = Bytes(record, record + record_len);
  return SG_SUCCESS;
}

int ContainsPreKey(uint32_t id, void* user_data) {
  return User(user_data).pre_keys.count(id) != 0 ? 1 : 0;
}

int RemovePreKey(uint32_t id, void* user_data) {
  User(user_data).pre_keys.erase(id);
  return SG_SUCCESS;
}

int LoadSignedPreKey(signal_buffer** record, uint32_t id, void* user_data) {
  auto& m = User(user_data).signed_pre_keys;
  auto it = m.find(id);
  return it == m.end() ? SG_ERR_INVALID_KEY_ID : CopyOut(it->second, record);
}

int StoreSignedPreKey(uint32_t id, uint8_t* record, size_t record_len, void* user_data) {
  User(user_data).signed_pre_keys[id] = Bytes(record, record + record_len);
  return SG_SUCCESS;
}

int ContainsSignedPreKey(uint32_t id, void* user_data) {
  return User(user_data).signed_pre_keys.count(id) != 0 ? 1 : 0;
}

int RemoveSignedPreKey(uint32_t id, void* user_data) {
  User(user_data).signed_pre_keys.erase(id);
  return SG_SUCCESS;
}

int GetIdentityKeyPair(signal_buffer** public_data, signal_buffer** private_data, void* user_data) {
  const SignalUser& u = User(user_data);
  CheckSg(ec_public_key_serialize(public_data, ratchet_identity_key_pair_get_public(u.identity)),
          "ec_public_key_serialize");
  CheckSg(ec_private_key_serialize(private_data, ratchet_identity_key_pair_get_private(u.identity)),
          "ec_private_key_serialize");
  return SG_SUCCESS;
}

int GetLocalRegistrationId(void* user_data, uint32_t* registration_id) {
  *registration_id = User(user_data).registration_id;
  return SG_SUCCESS;
}

int SaveIdentity(const signal_protocol_address* /*address*/, uint8_t* /*key_data*/,
                 size_t /*key_len*/, void* /*user_data*/) {
  return SG_SUCCESS;
}

// Every identity is trusted: trust decisions are outside what is measured.
int IsTrustedIdentity(const signal_protocol_address* /*address*/, uint8_t* /*key_data*/,
                      size_t /*key_len*/, void* /*user_data*/) {
  return 1;
}

std::tuple<std::string, std::string, int32_t> SenderKeyKey(
    const signal_protocol_sender_key_name* n) {
  return {std::string(n->group_id, n->group_id_len),
          std::string(n->sender.name, n->sender.name_len), n->sender.device_id};
}

int StoreSenderKey(const signal_protocol_sender_key_name* name, uint8_t* record, size_t record_len,
                   uint8_t* /*user_record*/, size_t /*user_record_len*/, void* user_data) {
  User(user_data).sender_keys[SenderKeyKey(name)] = Bytes(record, record + record_len);
  return SG_SUCCESS;
}

int LoadSenderKey(signal_buffer** record, signal_buffer** user_record,
                  const signal_protocol_sender_key_name* name, void* user_data) {
  *user_record = nullptr;
  auto& m = User(user_data).sender_keys;
  auto it = m.find(SenderKeyKey(name));
  if (it == m.end()) return 0;
  const int r = CopyOut(it->second, record);
  return r == SG_SUCCESS ? 1 : r;
}

std::unique_ptr<SignalUser> MakeSignalUser(const char* name) {
  auto u = std::make_unique<SignalUser>();
  u->name = name;
  u->address = {u->name.c_str(), u->name.size(), 1};
  signal_context* ctx = SignalContext();
  CheckSg(signal_protocol_key_helper_generate_identity_key_pair(&u->identity, ctx),
          "generate_identity_key_pair");
  CheckSg(signal_protocol_key_helper_generate_registration_id(&u->registration_id, 0, ctx),
          "generate_registration_id");
  CheckSg(signal_protocol_store_context_create(&u->store, ctx), "store_context_create");
  void* self = u.get();
  signal_protocol_session_store sessions{
      LoadSession,   GetSubDeviceSessions, StoreSession, ContainsSession,
      DeleteSession, DeleteAllSessions,    nullptr,      self};
  signal_protocol_pre_key_store pre_keys{LoadPreKey,   StorePreKey, ContainsPreKey,
                                         RemovePreKey, nullptr,     self};
  signal_protocol_signed_pre_key_store signed_pre_keys{
      LoadSignedPreKey, StoreSignedPreKey, ContainsSignedPreKey, RemoveSignedPreKey, nullptr, self};
  signal_protocol_identity_key_store identity{
      GetIdentityKeyPair, GetLocalRegistrationId, SaveIdentity, IsTrustedIdentity, nullptr, self};
  signal_protocol_sender_key_store sender_keys{StoreSenderKey, LoadSenderKey, nullptr, self};
  CheckSg(signal_protocol_store_context_set_session_store(u->store, &sessions), "session_store");
  CheckSg(signal_protocol_store_context_set_pre_key_store(u->store, &pre_keys), "pre_key_store");
  CheckSg(signal_protocol_store_context_set_signed_pre_key_store(u->store, &signed_pre_keys),
          "signed_pre_key_store");
  CheckSg(signal_protocol_store_context_set_identity_key_store(u->store, &identity),
          "identity_key_store");
  CheckSg(signal_protocol_store_context_set_sender_key_store(u->store, &sender_keys),
          "sender_key_store");
  return u;
}

// SignalMessage is a serialized ciphertext_message and its type.
struct SignalMessage {
  int type = 0;
  Bytes wire;
};

SignalMessage TakeMessage(ciphertext_message* m) {
  signal_buffer* s = ciphertext_message_get_serialized(m);
  SignalMessage out{ciphertext_message_get_type(m),
                    Bytes(signal_buffer_data(s), signal_buffer_data(s) + signal_buffer_len(s))};
  Unref(m);
  return out;
}

// SignalPair is Alice and Bob with a session each way (Alice started it from Bob's pre-key
// bundle; both have received a message) and a Sender Keys session from Alice to Bob.
struct SignalPair {
  std::unique_ptr<SignalUser> alice, bob;
  session_cipher* a = nullptr;  // Alice's cipher towards Bob
  session_cipher* b = nullptr;  // Bob's cipher towards Alice
  group_cipher* group_a = nullptr;
  group_cipher* group_b = nullptr;
  signal_protocol_sender_key_name sender_key_name{};
};

SignalMessage SignalEncrypt(session_cipher* c) {
  ciphertext_message* m = nullptr;
  CheckSg(session_cipher_encrypt(c, Plaintext().data(), kMessageLen, &m), "session_cipher_encrypt");
  return TakeMessage(m);
}

void SignalDecrypt(session_cipher* c, const SignalMessage& msg) {
  signal_context* ctx = SignalContext();
  signal_buffer* pt = nullptr;
  if (msg.type == CIPHERTEXT_PREKEY_TYPE) {
    pre_key_signal_message* m = nullptr;
    CheckSg(pre_key_signal_message_deserialize(&m, msg.wire.data(), msg.wire.size(), ctx),
            "pre_key_signal_message_deserialize");
    CheckSg(session_cipher_decrypt_pre_key_signal_message(c, m, nullptr, &pt),
            "decrypt_pre_key_signal_message");
    Unref(m);
  } else {
    signal_message* m = nullptr;
    CheckSg(signal_message_deserialize(&m, msg.wire.data(), msg.wire.size(), ctx),
            "signal_message_deserialize");
    CheckSg(session_cipher_decrypt_signal_message(c, m, nullptr, &pt), "decrypt_signal_message");
    Unref(m);
  }
  const size_t n = signal_buffer_len(pt);
  signal_buffer_free(pt);
  if (n != kMessageLen) Die("libsignal decrypt: wrong length");
}

SignalMessage SenderKeyEncrypt(group_cipher* c) {
  ciphertext_message* m = nullptr;
  CheckSg(group_cipher_encrypt(c, Plaintext().data(), kMessageLen, &m), "group_cipher_encrypt");
  return TakeMessage(m);
}

void SenderKeyDecrypt(group_cipher* c, const SignalMessage& msg) {
  sender_key_message* m = nullptr;
  CheckSg(sender_key_message_deserialize(&m, msg.wire.data(), msg.wire.size(), SignalContext()),
          "sender_key_message_deserialize");
  signal_buffer* pt = nullptr;
  CheckSg(group_cipher_decrypt(c, m, nullptr, &pt), "group_cipher_decrypt");
  Unref(m);
  const size_t n = signal_buffer_len(pt);
  signal_buffer_free(pt);
  if (n != kMessageLen) Die("group_cipher_decrypt: wrong length");
}

std::unique_ptr<SignalPair> MakeSignalPair() {
  signal_context* ctx = SignalContext();
  auto p = std::make_unique<SignalPair>();
  p->alice = MakeSignalUser("alice");
  p->bob = MakeSignalUser("bob");
  SignalUser& bob = *p->bob;

  // Bob's pre-key bundle: one one-time pre-key and a signed pre-key.
  signal_protocol_key_helper_pre_key_list_node* pre_keys = nullptr;
  CheckSg(signal_protocol_key_helper_generate_pre_keys(&pre_keys, 1, 1, ctx), "generate_pre_keys");
  session_pre_key* pre_key = signal_protocol_key_helper_key_list_element(pre_keys);
  session_signed_pre_key* signed_pre_key = nullptr;
  CheckSg(
      signal_protocol_key_helper_generate_signed_pre_key(&signed_pre_key, bob.identity, 5, 0, ctx),
      "generate_signed_pre_key");
  CheckSg(signal_protocol_pre_key_store_key(bob.store, pre_key), "store pre-key");
  CheckSg(signal_protocol_signed_pre_key_store_key(bob.store, signed_pre_key),
          "store signed pre-key");
  session_pre_key_bundle* bundle = nullptr;
  CheckSg(session_pre_key_bundle_create(
              &bundle, bob.registration_id, bob.address.device_id, 1,
              ec_key_pair_get_public(session_pre_key_get_key_pair(pre_key)), 5,
              ec_key_pair_get_public(session_signed_pre_key_get_key_pair(signed_pre_key)),
              session_signed_pre_key_get_signature(signed_pre_key),
              session_signed_pre_key_get_signature_len(signed_pre_key),
              ratchet_identity_key_pair_get_public(bob.identity)),
          "session_pre_key_bundle_create");
  session_builder* builder = nullptr;
  CheckSg(session_builder_create(&builder, p->alice->store, &bob.address, ctx),
          "session_builder_create");
  CheckSg(session_builder_process_pre_key_bundle(builder, bundle), "process_pre_key_bundle");
  session_builder_free(builder);
  Unref(bundle);
  Unref(signed_pre_key);
  signal_protocol_key_helper_key_list_free(pre_keys);

  CheckSg(session_cipher_create(&p->a, p->alice->store, &bob.address, ctx), "cipher (alice)");
  CheckSg(session_cipher_create(&p->b, bob.store, &p->alice->address, ctx), "cipher (bob)");
  const SignalMessage first = SignalEncrypt(p->a);
  if (first.type != CIPHERTEXT_PREKEY_TYPE) Die("first libsignal message is not a pre-key one");
  SignalDecrypt(p->b, first);
  SignalDecrypt(p->a, SignalEncrypt(p->b));

  // Sender Keys: Alice creates her sender key and hands Bob the distribution message.
  static const char kGroup[] = "group";
  p->sender_key_name = {kGroup, sizeof(kGroup) - 1, p->alice->address};
  group_session_builder* group_builder = nullptr;
  CheckSg(group_session_builder_create(&group_builder, p->alice->store, ctx),
          "group_session_builder_create (alice)");
  sender_key_distribution_message* dist = nullptr;
  CheckSg(group_session_builder_create_session(group_builder, &dist, &p->sender_key_name),
          "group_session_builder_create_session");
  group_session_builder_free(group_builder);
  const SignalMessage dist_wire = TakeMessage(reinterpret_cast<ciphertext_message*>(dist));
  sender_key_distribution_message* received = nullptr;
  CheckSg(sender_key_distribution_message_deserialize(&received, dist_wire.wire.data(),
                                                      dist_wire.wire.size(), ctx),
          "sender_key_distribution_message_deserialize");
  CheckSg(group_session_builder_create(&group_builder, bob.store, ctx),
          "group_session_builder_create (bob)");
  CheckSg(group_session_builder_process_session(group_builder, &p->sender_key_name, received),
          "group_session_builder_process_session");
  group_session_builder_free(group_builder);
  Unref(received);
  CheckSg(group_cipher_create(&p->group_a, p->alice->store, &p->sender_key_name, ctx),
          "group_cipher_create (alice)");
  CheckSg(group_cipher_create(&p->group_b, bob.store, &p->sender_key_name, ctx),
          "group_cipher_create (bob)");
  return p;
}

void BM_Signal_Encrypt_Stream(benchmark::State& state) {
  auto p = MakeSignalPair();
  for ([[maybe_unused]] auto _ : state) benchmark::DoNotOptimize(SignalEncrypt(p->a).wire.data());
  state.SetItemsProcessed(state.iterations());
}

void BM_Signal_Decrypt_Stream(benchmark::State& state) {
  auto p = MakeSignalPair();
  std::vector<SignalMessage> batch;
  size_t next = 0;
  for ([[maybe_unused]] auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (size_t i = 0; i < kBatch; ++i) batch.push_back(SignalEncrypt(p->a));
      next = 0;
      state.ResumeTiming();
    }
    SignalDecrypt(p->b, batch[next++]);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Signal_StreamRoundTrip(benchmark::State& state) {
  auto p = MakeSignalPair();
  for ([[maybe_unused]] auto _ : state) SignalDecrypt(p->b, SignalEncrypt(p->a));
  state.SetItemsProcessed(state.iterations());
}

// One iteration = one message, alternating direction (a DH ratchet step per turn).
void BM_Signal_PingPong(benchmark::State& state) {
  auto p = MakeSignalPair();
  bool a_sends = true;
  for ([[maybe_unused]] auto _ : state) {
    session_cipher* from = a_sends ? p->a : p->b;
    session_cipher* to = a_sends ? p->b : p->a;
    SignalDecrypt(to, SignalEncrypt(from));
    a_sends = !a_sends;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SenderKey_Encrypt(benchmark::State& state) {
  auto p = MakeSignalPair();
  for ([[maybe_unused]] auto _ : state) {
    benchmark::DoNotOptimize(SenderKeyEncrypt(p->group_a).wire.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SenderKey_Decrypt(benchmark::State& state) {
  auto p = MakeSignalPair();
  std::vector<SignalMessage> batch;
  size_t next = 0;
  for ([[maybe_unused]] auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (size_t i = 0; i < kBatch; ++i) batch.push_back(SenderKeyEncrypt(p->group_a));
      next = 0;
      state.ResumeTiming();
    }
    SenderKeyDecrypt(p->group_b, batch[next++]);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_Candor_Protect)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Candor_Unprotect)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Candor_PingPong)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Olm_Encrypt_Stream)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Olm_Decrypt_Stream)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Olm_StreamRoundTrip)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Olm_PingPong)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Megolm_Encrypt)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Megolm_Decrypt)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Signal_Encrypt_Stream)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Signal_Decrypt_Stream)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Signal_StreamRoundTrip)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Signal_PingPong)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SenderKey_Encrypt)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SenderKey_Decrypt)->Unit(benchmark::kMicrosecond);

// main pins the process to one CPU (the comparison is per core), then runs the benchmarks.
int main(int argc, char** argv) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  if (sched_setaffinity(0, sizeof(one), &one) != 0) (void)std::fprintf(stderr, "not pinned\n");
  uint8_t major = 0, minor = 0, patch = 0;
  olm_get_library_version(&major, &minor, &patch);
  std::printf("libolm %u.%u.%u; one CPU; %zu-byte messages\n", major, minor, patch, kMessageLen);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
