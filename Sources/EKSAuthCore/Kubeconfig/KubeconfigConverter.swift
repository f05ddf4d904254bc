import YAMLDocument

/// What converting one kubeconfig text did.
public struct KubeconfigConversion: Sendable, Equatable {
    /// A user whose exec block now runs eks-auth.
    public struct Converted: Sendable, Equatable {
        /// The `users[].name`.
        public var user: String
        /// What it ran before.
        public var peer: PeerExecArguments.Peer
    }

    /// A user that runs a peer but was left as it is.
    public struct LeftAlone: Sendable, Equatable {
        /// The `users[].name`.
        public var user: String
        /// Why, in a phrase (`it passes --external-id, which eks-auth does not convert exactly`).
        public var reason: String
    }

    /// The converted text: the input itself when nothing was converted.
    public var text: String
    /// The users converted, in file order.
    public var converted: [Converted] = []
    /// The users left alone, in file order.
    public var leftAlone: [LeftAlone] = []
    /// The users that already run eks-auth.
    public var alreadyEKSAuth: [String] = []
    /// Whether the text was edited in place (every other byte kept) rather than written out again.
    public var editedInPlace = true
}

/// Rewrites the exec blocks of kubeconfig users that run `aws eks get-token` or `aws-iam-authenticator
/// token` into the ones `eks-auth kubeconfig` writes (`command: eks-auth`, `args: [token, …]`).
///
/// Only `command` and `args` change: `apiVersion`, `env` (AWS_PROFILE included), `interactiveMode`,
/// `provideClusterInfo` and every other key stay. In a block-style file the two keys' lines are replaced
/// and every other byte (comments, order, quoting, other users) is kept; the result is read back and
/// must equal the converted tree, else (flow style, JSON, anchors) the whole tree is written out again
/// as `eks-auth kubeconfig` writes it, which keeps order and values but not comments.
public enum KubeconfigConverter {
    /// The command written: found on PATH, as `eks-auth kubeconfig` writes it.
    public static let command = "eks-auth"

    /// `text` (the kubeconfig read from `path`) with each convertible user converted; with `users`, only
    /// those users are looked at.
    /// - Throws: `KubeconfigConvertError.malformed` when `text` is not a kubeconfig.
    public static func convert(_ text: String, path: String, users only: Set<String>? = nil) throws
        -> KubeconfigConversion
    {
        var result = KubeconfigConversion(text: text)
        guard !text.trimmingWhitespace().isEmpty else { return result }
        let node: YAMLNode?
        do {
            node = try YAML.compose(text)
        } catch {
            throw KubeconfigConvertError.malformed(path: path, reason: "not YAML: \(error.message)")
        }
        guard let node else { return result }
        guard var root = node.mapping else {
            throw KubeconfigConvertError.malformed(path: path, reason: "not a YAML mapping")
        }
        guard var items = root["users"]?.sequence else { return result }
        // Position among the users that have an exec block, and its new arguments: for the in-place edit.
        var edits: [(execIndex: Int, arguments: [String])] = []
        var execIndex = -1
        for (index, item) in items.enumerated() {
            guard var exec = item["user"]?["exec"]?.mapping else { continue }
            execIndex += 1
            guard let name = item["name"]?.scalar?.text, only?.contains(name) ?? true else { continue }
            guard let command = exec["command"]?.scalar?.text else { continue }
            let args: [String]?
            switch exec["args"] {
            case nil: args = []
            case .some(.scalar(let scalar)) where scalar.isNull: args = []
            case .some(.sequence(let sequence)):
                let texts = sequence.compactMap { $0.scalar?.text }
                args = texts.count == sequence.count ? texts : nil
            default: args = nil
            }
            let variables = exec["env"]?.sequence?.compactMap { $0["name"]?.scalar?.text } ?? []
            let reading =
                args.map { PeerExecArguments.read(command: command, args: $0, environment: variables) }
                ?? PeerExecArguments.read(command: command, args: [], environment: variables)
            switch reading {
            case .other: continue
            case .eksAuth: result.alreadyEKSAuth.append(name)
            case .unconvertible(let reason):
                result.leftAlone.append(.init(user: name, reason: reason))
            case .convertible(let peer, let arguments):
                guard args != nil else {
                    result.leftAlone.append(.init(user: name, reason: "its args are not a list of strings"))
                    continue
                }
                exec["command"] = YAMLNode(Self.command)
                exec["args"] = .sequence(YAMLSequence(arguments.map { YAMLNode($0) }))
                guard var entry = item.mapping, var user = entry["user"]?.mapping else { continue }
                user["exec"] = .mapping(exec)
                entry["user"] = .mapping(user)
                items[index] = .mapping(entry)
                result.converted.append(.init(user: name, peer: peer))
                edits.append((execIndex, arguments))
            }
        }
        guard !edits.isEmpty else { return result }
        root["users"] = .sequence(items)
        let converted = YAMLNode.mapping(root)
        if let edited = editInPlace(text, edits: edits, execCount: execIndex + 1),
            let reread = try? YAML.compose(edited), KubeconfigWriter.sameEntry(reread, converted)
        {
            result.text = edited
            return result
        }
        do {
            result.text = try YAML.serialize(converted)
        } catch {
            throw KubeconfigConvertError.malformed(path: path, reason: "cannot be written back as YAML")
        }
        result.editedInPlace = false
        return result
    }

    /// `text` with the `command` and `args` lines of the exec blocks numbered in `edits` (counting the
    /// users' exec blocks in file order) replaced; nil when the file's lines do not show exactly
    /// `execCount` block-style `exec:` keys, each with a block-style `command:` and `args:` (or none).
    static func editInPlace(_ text: String, edits: [(execIndex: Int, arguments: [String])], execCount: Int)
        -> String?
    {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let execLines = lines.indices.filter { key(of: lines[$0]) == "exec" && isBlockOpener(lines[$0]) }
        guard execLines.count == execCount else { return nil }
        // From the last edit up, so that earlier line numbers stay right.
        for edit in edits.sorted(by: { $0.execIndex > $1.execIndex }) {
            let start = execLines[edit.execIndex]
            let execIndent = indent(of: lines[start])
            var end = start + 1
            while end < lines.count, isBlankOrComment(lines[end]) || indent(of: lines[end]) > execIndent { end += 1 }
            guard
                let firstChild = (start + 1..<end).first(where: { !isBlankOrComment(lines[$0]) }),
                !lines[firstChild].dropFirst(indent(of: lines[firstChild])).hasPrefix("- ")
            else { return nil }
            let childIndent = indent(of: lines[firstChild])
            let keyLines = (start + 1..<end).filter { indent(of: lines[$0]) == childIndent }
            guard let commandLine = keyLines.first(where: { key(of: lines[$0]) == "command" }) else { return nil }
            let pad = String(repeating: " ", count: childIndent)
            var replacements: [(range: Range<Int>, lines: [String])] = [
                (commandLine..<commandLine + 1, [pad + "command: " + KubeconfigConverter.command])
            ]
            let argsBlock: [String]
            if let argsLine = keyLines.first(where: { key(of: lines[$0]) == "args" }) {
                var argsEnd = argsLine + 1
                while argsEnd < end,
                    isBlankOrComment(lines[argsEnd]) || indent(of: lines[argsEnd]) > childIndent
                        || lines[argsEnd].dropFirst(childIndent).hasPrefix("- ")
                        || lines[argsEnd].dropFirst(childIndent) == "-"
                {
                    argsEnd += 1
                }
                // Keep the list's own indentation (the AWS CLI writes items under the key, not indented).
                let itemIndent =
                    (argsLine + 1..<argsEnd).first(where: { !isBlankOrComment(lines[$0]) }).map {
                        indent(of: lines[$0])
                    } ?? childIndent
                argsBlock = argsLines(edit.arguments, keyPad: pad, itemPad: String(repeating: " ", count: itemIndent))
                // Trailing blank or comment lines belong to what follows.
                while argsEnd > argsLine + 1, isBlankOrComment(lines[argsEnd - 1]) { argsEnd -= 1 }
                replacements.append((argsLine..<argsEnd, argsBlock))
            } else {
                argsBlock = argsLines(edit.arguments, keyPad: pad, itemPad: pad)
                replacements.append((commandLine + 1..<commandLine + 1, argsBlock))
            }
            for replacement in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
                lines.replaceSubrange(replacement.range, with: replacement.lines)
            }
        }
        return lines.joined(separator: "\n")
    }

    static func argsLines(_ arguments: [String], keyPad: String, itemPad: String) -> [String] {
        [keyPad + "args:"] + arguments.map { itemPad + "- " + scalarText($0) }
    }

    /// `text` as a YAML scalar that reads back as that string: plain when it is safe and reads as a
    /// string, else single-quoted.
    static func scalarText(_ text: String) -> String {
        let safe =
            !text.isEmpty
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || [
                        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: ":"),
                        UInt8(ascii: "@"),
                    ].contains(byte)
            }
        let first = text.utf8.first ?? 0
        let leadingSafe = first != UInt8(ascii: "@") && first != UInt8(ascii: ":")
        if safe, leadingSafe, text != "-", !text.hasSuffix(":"), YAMLTag.resolving(plain: text) == .str { return text }
        return "'" + text.replacingOccurrences("'", with: "''") + "'"
    }

    static func indent(of line: String) -> Int { line.prefix(while: { $0 == " " }).count }

    static func isBlankOrComment(_ line: String) -> Bool {
        let rest = line.drop(while: { $0 == " " || $0 == "\t" })
        return rest.isEmpty || rest.hasPrefix("#")
    }

    /// The plain key a block-mapping line starts with (`  command: aws` is `command`), else nil.
    static func key(of line: String) -> String? {
        let rest = line.drop(while: { $0 == " " })
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let key = rest[..<colon]
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        let after = rest[rest.index(after: colon)...]
        guard after.isEmpty || after.hasPrefix(" ") else { return nil }
        return String(key)
    }

    /// Whether `line` is `KEY:` with nothing after it but a comment: a block collection follows.
    static func isBlockOpener(_ line: String) -> Bool {
        guard let colon = line.firstIndex(of: ":") else { return false }
        let after = line[line.index(after: colon)...].drop(while: { $0 == " " })
        return after.isEmpty || after.hasPrefix("#")
    }
}

extension String {
    /// Every `target` replaced by `replacement` (FoundationEssentials has no such method on Linux's
    /// minimal String without Foundation).
    fileprivate func replacingOccurrences(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
