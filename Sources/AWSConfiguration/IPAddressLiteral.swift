/// An IPv4 or IPv6 address written as text (`10.1.2.3`, `::1`, `fd00:ec2::254`, `::ffff:10.0.0.1`),
/// as its bytes, for `NO_PROXY` CIDR ranges. Pure Swift: the configuration layer reads no C library.
/// Forms read: RFC 4291 §2.2 for IPv6 (`::` once, an IPv4 tail), four decimal octets for IPv4 (the
/// shortened and octal forms `inet_aton` also takes are refused, as curl's `inet_pton` does).
struct IPAddressLiteral: Equatable {
    /// 4 bytes for IPv4, 16 for IPv6, network order.
    var bytes: [UInt8]

    /// Parses `text` (IPv6 brackets and a `%zone` are left out); nil when it is not an address.
    init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        if let v4 = Self.ipv4(text) {
            bytes = v4
        } else if let v6 = Self.ipv6(text) {
            bytes = v6
        } else {
            return nil
        }
    }

    /// Whether the first `prefixLength` bits of `self` and `network` agree (both of one family).
    func isIn(network: IPAddressLiteral, prefixLength: Int) -> Bool {
        guard bytes.count == network.bytes.count, prefixLength >= 0, prefixLength <= bytes.count * 8 else {
            return false
        }
        var bits = prefixLength
        for (a, b) in zip(bytes, network.bytes) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if a & mask != b & mask { return false }
            bits -= 8
        }
        return true
    }

    private static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func ipv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.pieces(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ half: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
            if half.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = half.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowIPv4Tail, index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = ipv4(piece) else { return nil }
                    bytes += v4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        }
        if halves.count == 1 {
            guard let all = groups(text, allowIPv4Tail: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true),
            head.count + tail.count <= 14
        else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

extension Substring {
    /// The pieces between occurrences of `separator` (a two-character string), empty ones kept.
    fileprivate func pieces(separatedBy separator: String) -> [Substring] {
        var pieces: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(separator) {
                pieces.append(self[start..<index])
                index = self.index(index, offsetBy: separator.count)
                start = index
            } else {
                index = self.index(after: index)
            }
        }
        pieces.append(self[start..<endIndex])
        return pieces
    }
}
