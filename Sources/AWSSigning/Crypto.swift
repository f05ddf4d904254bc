import CLibCrypto
import EKSAuthSystem

/// SHA-256, HMAC-SHA256 and SHA-1 (for AWS CLI cache file names) from OpenSSL's libcrypto; the only
/// place that touches it.
public enum Crypto {
    /// Initialises libcrypto once, lean: no openssl.cnf, no legacy name tables, no error strings, no
    /// clean-up at exit. OpenSSL 3's default initialisation (config file, engine tables, every cipher and
    /// digest name) costs about 5 million instructions, more than the rest of a token put together;
    /// SHA-256 and HMAC need none of it. Skipping the error strings saves about 0.9 M more (the first
    /// error-queue use would load them; nothing here prints an OpenSSL error string), and skipping the
    /// atexit clean-up the provider tear-down the kernel does for free when the process ends.
    private static let initialized: Bool = {
        let options =
            UInt64(OPENSSL_INIT_NO_LOAD_CONFIG) | UInt64(OPENSSL_INIT_NO_ADD_ALL_CIPHERS)
            | UInt64(OPENSSL_INIT_NO_ADD_ALL_DIGESTS) | UInt64(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS)
            | UInt64(OPENSSL_INIT_NO_ATEXIT)
        return OPENSSL_init_crypto(options, nil) == 1
    }()

    /// SHA-256 fetched from the default provider once; a fetched digest skips the engine look-up
    /// that the legacy `EVP_sha256()` handle makes on every initialisation.
    nonisolated(unsafe) private static let sha256Method: OpaquePointer? = {
        precondition(initialized, "libcrypto initialisation failed")
        return EVP_MD_fetch(nil, "SHA256", nil)
    }()

    /// SHA-1, fetched on first use; only for the file names the AWS CLI gives its SSO token cache.
    nonisolated(unsafe) private static let sha1Method: OpaquePointer? = {
        precondition(initialized, "libcrypto initialisation failed")
        return EVP_MD_fetch(nil, "SHA1", nil)
    }()

    /// The SHA-256 digest of `data`.
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        digest(Array(data), method: sha256Method, name: "SHA-256")
    }

    /// The SHA-256 digest of `data`. This concrete overload is what callers in other modules get for
    /// an array: the generic one runs unspecialised there, looking its types up at run time.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        digest(data, method: sha256Method, name: "SHA-256")
    }

    /// The SHA-1 digest of `data`; never used for security, only to find files the AWS CLI named.
    public static func sha1(_ data: some Collection<UInt8>) -> [UInt8] {
        digest(Array(data), method: sha1Method, name: "SHA-1")
    }

    private static func digest(_ data: [UInt8], method: OpaquePointer?, name: String) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            digest.withUnsafeMutableBytes { output in
                EVP_Digest(
                    input.baseAddress, input.count,
                    output.baseAddress!.assumingMemoryBound(to: UInt8.self), &length,
                    method, nil)
            }
        }
        // EVP_Digest fails only on allocation failure inside OpenSSL.
        precondition(ok == 1, "libcrypto EVP_Digest(\(name)) failed")
        return Array(digest.prefix(Int(length)))
    }

    /// An HMAC-SHA256 context with its digest chosen and no key, made once; each MAC duplicates it.
    /// The one-shot `HMAC()` goes through `EVP_Q_mac`, which fetches the HMAC implementation, builds a
    /// parameter list and looks SHA-256 up by name on every call; a token makes five MACs (four for
    /// the signing key, one for the signature). Measured with callgrind: 0.12 M to make this context
    /// (the provider's one-time MAC set-up) and 0.19 M for the five MACs; the gain over `HMAC()` was
    /// not measured apart from the initialisation flags above, which were changed in the same step.
    nonisolated(unsafe) private static let hmacTemplate: OpaquePointer? = {
        precondition(initialized, "libcrypto initialisation failed")
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { return nil }
        // The context keeps its own reference to the implementation.
        defer { EVP_MAC_free(mac) }
        guard let context = EVP_MAC_CTX_new(mac) else { return nil }
        let chosen = "digest".withCString { key in
            "SHA256".withCString { name in
                var parameters = [
                    OSSL_PARAM_construct_utf8_string(key, UnsafeMutablePointer(mutating: name), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_MAC_CTX_set_params(context, &parameters) == 1
            }
        }
        guard chosen else {
            EVP_MAC_CTX_free(context)
            return nil
        }
        return context
    }()

    /// The HMAC-SHA256 of `data` under `key`.
    public static func hmacSHA256(key: some Collection<UInt8>, data: some Collection<UInt8>) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length = 0
        // An empty key still needs an address: a null key means "keep the previous key" to EVP_MAC_init.
        let keyBytes = key.isEmpty ? [0] : Array(key)
        let keyLength = key.isEmpty ? 0 : keyBytes.count
        let dataBytes = Array(data)
        let context = EVP_MAC_CTX_dup(hmacTemplate)
        defer { EVP_MAC_CTX_free(context) }
        let ok = keyBytes.withUnsafeBufferPointer { k in
            dataBytes.withUnsafeBufferPointer { d in
                mac.withUnsafeMutableBufferPointer { out in
                    context != nil && EVP_MAC_init(context, k.baseAddress, keyLength, nil) == 1
                        && EVP_MAC_update(context, d.baseAddress, d.count) == 1
                        && EVP_MAC_final(context, out.baseAddress, &length, out.count) == 1
                }
            }
        }
        // These fail only on allocation failure inside OpenSSL.
        precondition(ok, "libcrypto HMAC(SHA-256) failed")
        return Array(mac.prefix(length))
    }

    /// Lower-case hexadecimal of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        hex(Array(bytes))
    }

    /// `bytes` as lower-case hexadecimal. The concrete overload, for callers in other modules (the
    /// generic one cost 0.38 M instructions there, run unspecialised, on a cached token call).
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
