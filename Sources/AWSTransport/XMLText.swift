import AWSConfiguration
import AWSSigning
import EKSAuthSystem

/// Reads element text out of the small, flat XML documents the STS Query API returns.
///
/// STS responses are machine-written with a fixed shape, so finding `<Name>text</Name>` (after
/// an optional parent element) is all that is needed; entities and CDATA are decoded.
public struct XMLText: Sendable {
    let document: String

    /// Wraps `document`.
    public init(_ document: String) {
        self.document = document
    }

    /// The text of the first element named `path.last` found inside the elements named before it.
    public func value(at path: String...) -> String? {
        var scope = Substring(document)
        for (index, name) in path.enumerated() {
            guard let inner = Self.innerText(of: name, in: scope) else { return nil }
            if index == path.count - 1 { return Self.decode(inner).trimmingWhitespace() }
            scope = inner
        }
        return nil
    }

    /// The text of every element named `name`, in document order (IAM's lists: `<member><PolicyArn>…`).
    public func values(named name: String) -> [String] {
        var found: [String] = []
        var scope = Substring(document)
        while let inner = Self.innerText(of: name, in: scope) {
            found.append(Self.decode(inner).trimmingWhitespace())
            // Past this element's closing tag (an empty element `<name/>` ends at its own `>`).
            guard let close = scope[inner.endIndex...].firstIndex(of: ">") else { break }
            scope = scope[scope.index(after: close)...]
        }
        return found
    }

    /// The content between the first `<name …>` and its `</name>` in `text`.
    static func innerText(of name: String, in text: Substring) -> Substring? {
        var searchFrom = text.startIndex
        while let open = text[searchFrom...].firstRange(of: "<\(name)") {
            let afterName = open.upperBound
            guard afterName < text.endIndex else { return nil }
            let next = text[afterName]
            if next == ">" || next == " " || next == "\t" || next == "\n" || next == "\r" || next == "/" {
                guard let tagEnd = text[afterName...].firstIndex(of: ">") else { return nil }
                if text[text.index(before: tagEnd)] == "/" { return text[tagEnd..<tagEnd] }
                let contentStart = text.index(after: tagEnd)
                guard let close = text[contentStart...].firstRange(of: "</\(name)>") else { return nil }
                return text[contentStart..<close.lowerBound]
            }
            searchFrom = afterName
        }
        return nil
    }

    /// Decodes the five predefined entities, numeric character references and CDATA sections.
    static func decode(_ text: Substring) -> String {
        var result = ""
        var rest = text
        while let amp = rest.firstIndex(where: { $0 == "&" || $0 == "<" }) {
            result += rest[..<amp]
            rest = rest[amp...]
            if rest.hasPrefix("<![CDATA["), let end = rest.firstRange(of: "]]>") {
                result += rest[rest.index(rest.startIndex, offsetBy: 9)..<end.lowerBound]
                rest = rest[end.upperBound...]
                continue
            }
            guard rest.first == "&", let semi = rest.firstIndex(of: ";"),
                rest.distance(from: rest.startIndex, to: semi) <= 10
            else {
                result.append(rest.removeFirst())
                continue
            }
            let entity = rest[rest.index(after: rest.startIndex)..<semi]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init)
                } else {
                    scalar = nil
                }
                guard let scalar else {
                    result.append(rest.removeFirst())
                    continue
                }
                result.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semi)...]
        }
        return result + rest
    }
}
