#ifndef EKS_AUTH_CLIBCRYPTO_SHIM_H
#define EKS_AUTH_CLIBCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#endif
