import EKSAuthSystem
import CLibCrypto

/// SHA-256, HMAC-SHA256 and SHA-1 (for AWS CLI cache file names) from OpenSSL's libcrypto; the only
/// place that touches it.
public enum Crypto {
    /// Initialises libcrypto once, lean: no openssl.cnf, no legacy name tables. OpenSSL 3's default
    /// initialisation (config file, engine tables, every cipher and digest name) costs about 5 million
    /// instructions, more than the rest of a token put together; SHA-256 and HMAC need none of it.
    private static let initialized: Bool = {
        let options =
            UInt64(OPENSSL_INIT_NO_LOAD_CONFIG) | UInt64(OPENSSL_INIT_NO_ADD_ALL_CIPHERS)
            | UInt64(OPENSSL_INIT_NO_ADD_ALL_DIGESTS)
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
        digest(data, method: sha256Method, name: "SHA-256")
    }

    /// The SHA-1 digest of `data`; never used for security, only to find files the AWS CLI named.
    public static func sha1(_ data: some Collection<UInt8>) -> [UInt8] {
        digest(data, method: sha1Method, name: "SHA-1")
    }

    private static func digest(_ data: some Collection<UInt8>, method: OpaquePointer?, name: String) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = Array(data).withUnsafeBytes { input in
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

    /// The HMAC-SHA256 of `data` under `key`.
    public static func hmacSHA256(key: some Collection<UInt8>, data: some Collection<UInt8>) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let keyBytes = Array(key)
        let dataBytes = Array(data)
        let result = keyBytes.withUnsafeBytes { k in
            dataBytes.withUnsafeBytes { d in
                mac.withUnsafeMutableBytes { out in
                    HMAC(
                        sha256Method, k.baseAddress, Int32(k.count),
                        d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count,
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
                }
            }
        }
        precondition(result != nil, "libcrypto HMAC(SHA-256) failed")
        return Array(mac.prefix(Int(length)))
    }

    /// Lower-case hexadecimal of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
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
