import CLibCrypto

/// SHA-256 and HMAC-SHA256 from OpenSSL's libcrypto; the only place that touches it.
public enum Crypto {
    /// The SHA-256 digest of `data`.
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = Array(data).withUnsafeBytes { input in
            digest.withUnsafeMutableBytes { output in
                EVP_Digest(
                    input.baseAddress, input.count,
                    output.baseAddress!.assumingMemoryBound(to: UInt8.self), &length,
                    EVP_sha256(), nil)
            }
        }
        // EVP_Digest fails only on allocation failure inside OpenSSL.
        precondition(ok == 1, "libcrypto EVP_Digest(SHA-256) failed")
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
                        EVP_sha256(), k.baseAddress, Int32(k.count),
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
