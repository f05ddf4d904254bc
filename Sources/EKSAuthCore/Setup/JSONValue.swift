import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Any JSON value, for comparing documents by meaning rather than by text (policy documents).
public indirect enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses `text`; nil when it is not JSON.
    public static func parse(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}

extension JSONValue {
    /// Where `self` (what exists) differs from `planned`, as paths with both values, at most `limit`:
    /// `Statement[0].Principal.AWS is "arn:aws:iam::1:root", planned "arn:aws:iam::2:root"`, or
    /// `Statement[0].Condition is present, planned absent`. Keys in name order; empty when equal.
    public func differences(from planned: JSONValue, at path: String = "", limit: Int = 3) -> [String] {
        var found: [String] = []
        collectDifferences(from: planned, at: path, into: &found, limit: limit)
        return found
    }

    private func collectDifferences(from planned: JSONValue, at path: String, into found: inout [String], limit: Int) {
        guard found.count < limit, self != planned else { return }
        switch (self, planned) {
        case (.object(let have), .object(let want)):
            for key in Set(have.keys).union(want.keys).sorted() where found.count < limit {
                let child = path.isEmpty ? key : "\(path).\(key)"
                switch (have[key], want[key]) {
                case (let a?, let b?): a.collectDifferences(from: b, at: child, into: &found, limit: limit)
                case (_?, nil): found.append("\(child) is present, planned absent")
                case (nil, _?): found.append("\(child) is absent, planned present")
                default: break
                }
            }
        case (.array(let have), .array(let want)) where have.count == want.count:
            for (index, (a, b)) in zip(have, want).enumerated() where found.count < limit {
                a.collectDifferences(from: b, at: "\(path)[\(index)]", into: &found, limit: limit)
            }
        default:
            found.append("\(path.isEmpty ? "the document" : path) is \(brief), planned \(planned.brief)")
        }
    }

    /// The value in a few words: a scalar as JSON (strings cut at 80 characters), an array or object by size.
    var brief: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
        case .string(let value): return JSONText.quote(TerminalText.excerpt(value, limit: 80))
        case .array(let items): return "a list of \(items.count)"
        case .object(let members): return "an object of \(members.count) keys"
        }
    }
}
