// ossl_internal.h: RAII handles for OpenSSL objects (house style H7) and helpers shared by the
// crypto sources. Private to src/crypto.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <memory>

namespace candor::crypto::internal {

template <class T>
struct OsslDeleter;

#define CANDOR_OSSL_DELETER_(type, fn)        \
  template <>                                 \
  struct OsslDeleter<type> {                  \
    void operator()(type* p) const { fn(p); } \
  }

CANDOR_OSSL_DELETER_(EVP_MD, EVP_MD_free);
CANDOR_OSSL_DELETER_(EVP_MD_CTX, EVP_MD_CTX_free);
CANDOR_OSSL_DELETER_(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free);
CANDOR_OSSL_DELETER_(EVP_KDF, EVP_KDF_free);
CANDOR_OSSL_DELETER_(EVP_KDF_CTX, EVP_KDF_CTX_free);
CANDOR_OSSL_DELETER_(EVP_MAC, EVP_MAC_free);
CANDOR_OSSL_DELETER_(EVP_MAC_CTX, EVP_MAC_CTX_free);
CANDOR_OSSL_DELETER_(EVP_PKEY, EVP_PKEY_free);
CANDOR_OSSL_DELETER_(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
CANDOR_OSSL_DELETER_(EC_GROUP, EC_GROUP_free);
CANDOR_OSSL_DELETER_(EC_POINT, EC_POINT_free);
CANDOR_OSSL_DELETER_(BIGNUM, BN_clear_free);
CANDOR_OSSL_DELETER_(BN_CTX, BN_CTX_free);
CANDOR_OSSL_DELETER_(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free);
CANDOR_OSSL_DELETER_(OSSL_PARAM, OSSL_PARAM_free);
CANDOR_OSSL_DELETER_(ECDSA_SIG, ECDSA_SIG_free);

#undef CANDOR_OSSL_DELETER_

// OsslPtr owns an OpenSSL object and frees it with the type's free function.
template <class T>
using OsslPtr = std::unique_ptr<T, OsslDeleter<T>>;

}  // namespace candor::crypto::internal
