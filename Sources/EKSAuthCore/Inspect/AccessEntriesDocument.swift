import AWSConfiguration
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A cluster's access entries saved as JSON, for `explain --access-entries` and `migrate`: an array whose
/// items are what `aws eks describe-access-entry` prints under `accessEntry`, each optionally with the
/// `associatedAccessPolicies` that `aws eks list-associated-access-policies` prints. An item may also be
/// the whole `describe-access-entry` output (`{"accessEntry": {…}, "associatedAccessPolicies": […]}`),
/// and the file may be the `{"accessEntries": [...]}` object instead of a bare array.
public enum AccessEntriesDocument {
    /// At most this many entries are read.
    public static let maxEntries = 5_000

    /// Parses `text`, read from `source` (a path or `stdin`, for messages).
    /// - Throws: `InspectError.unreadableAccessEntries` naming the item and what is wrong with it.
    public static func parse(_ text: String, source: String) throws -> [AccessEntry] {
        guard let root = JSONValue.parse(text) else {
            throw InspectError.unreadableAccessEntries(source: source, reason: "not JSON")
        }
        let items: [JSONValue]
        switch root {
        case .array(let array): items = array
        case .object(let object):
            guard case .array(let array)? = object["accessEntries"] else { fallthrough }
            items = array
        default:
            throw InspectError.unreadableAccessEntries(
                source: source, reason: "expected a JSON array of access entries (describe-access-entry's accessEntry)")
        }
        guard items.count <= maxEntries else {
            throw InspectError.unreadableAccessEntries(source: source, reason: "more than \(maxEntries) entries")
        }
        for (index, item) in items.enumerated() {
            guard case .object(var object) = item else {
                throw InspectError.unreadableAccessEntries(source: source, reason: "item \(index) is not an object")
            }
            if case .object(let wrapped)? = object["accessEntry"] { object = wrapped }
            guard case .string(let principal)? = object["principalArn"], ARN(principal) != nil else {
                throw InspectError.unreadableAccessEntries(
                    source: source, reason: "item \(index) has no principalArn (an IAM user or role ARN)")
            }
        }
        let entries: [AccessEntry]
        do {
            let data = Data(text.utf8)
            if case .array = root {
                entries = try JSONDecoder().decode([Item].self, from: data).map(\.entry)
            } else {
                entries = try JSONDecoder().decode(Wrapped.self, from: data).accessEntries.map(\.entry)
            }
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
            let DecodingError.keyNotFound(_, context), let DecodingError.dataCorrupted(context)
        {
            let path = context.codingPath.drop { $0.stringValue == "accessEntries" }
            let index = path.first?.intValue.map { "item \($0)" } ?? "an item"
            let field = path.dropFirst().map(\.stringValue).filter { $0 != "accessEntry" }
            throw InspectError.unreadableAccessEntries(
                source: source,
                reason: "\(index)\(field.isEmpty ? "" : " " + field.joined(separator: ".")) does not have the access "
                    + "entry shape (kubernetesGroups and associatedAccessPolicies are lists; username, type strings)")
        }
        var seen: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            if let first = seen[entry.principalArn.lowercased()] {
                throw InspectError.unreadableAccessEntries(
                    source: source,
                    reason: "items \(first) and \(index) are both for \(TerminalText.sanitized(entry.principalArn))")
            }
            seen[entry.principalArn.lowercased()] = index
        }
        return entries
    }

    /// The `{"accessEntries": [...]}` form.
    struct Wrapped: Decodable { var accessEntries: [Item] }

    /// One item: a bare entry, or describe-access-entry's output with the policies beside it.
    struct Item: Decodable {
        var entry: AccessEntry

        enum Keys: String, CodingKey { case accessEntry, associatedAccessPolicies }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            if container.contains(.accessEntry) {
                entry = try container.decode(AccessEntry.self, forKey: .accessEntry)
                if entry.associatedAccessPolicies.isEmpty {
                    entry.associatedAccessPolicies =
                        try container.decodeIfPresent([AssociatedAccessPolicy].self, forKey: .associatedAccessPolicies)
                        ?? []
                }
            } else {
                entry = try AccessEntry(from: decoder)
            }
        }
    }
}
