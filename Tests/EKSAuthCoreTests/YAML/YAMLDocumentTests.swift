import Testing
import YAMLDocument

@Suite("YAML documents")
struct YAMLDocumentTests {
    /// A kubeconfig as kubectl 1.32 writes it (`kubectl config set-cluster`, `set-credentials --exec-…`,
    /// `set-context`, `use-context`): the layout every kubeconfig eks-auth merges into starts from.
    static let kubectlKubeconfig = """
        apiVersion: v1
        clusters:
        - cluster:
            server: https://x.example:6443
          name: "123"
        - cluster:
            certificate-authority-data: LS0tLS1CRUdJTg==
            server: https://ABC.gr7.eu-west-1.eks.amazonaws.com
          name: dev
        contexts:
        - context:
            cluster: dev
            namespace: team-a
            user: dev
          name: dev
        current-context: dev
        kind: Config
        preferences: {}
        users:
        - name: dev
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              args:
              - token
              - --cluster-name
              - dev
              command: eks-auth
              env:
              - name: AWS_PROFILE
                value: "true"
              interactiveMode: IfAvailable
              provideClusterInfo: false
        - name: other
          user:
            token: abc
        """

    /// The error `compose` throws for `text`, or nil when it throws none.
    func composeError(_ text: String, limits: YAMLLimits = .default) -> YAMLError? {
        #expect(throws: YAMLError.self) { try YAML.compose(text, limits: limits) }
    }

    /// `text` composed and written back.
    func roundTrip(_ text: String) throws -> String {
        try YAML.serialize(try #require(try YAML.compose(text)))
    }

    // MARK: Resolving plain scalars

    @Test(
        "plain scalars resolve to the YAML 1.1 types",
        arguments: [
            ("", YAMLTag.null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("nULL", .str),
            ("yes", .bool), ("No", .bool), ("TRUE", .bool), ("false", .bool), ("on", .bool), ("OFF", .bool),
            ("y", .bool), ("N", .bool), ("tRUE", .str), ("yess", .str),
            ("0", .int), ("-17", .int), ("+17", .int), ("1_000", .int), ("0x1F", .int), ("0x_1f", .int),
            ("0o17", .int), ("017", .int), ("0b1010", .int), ("190:20:30", .int), ("-1:00", .int),
            ("0x", .str), ("0b", .str), ("1:60", .str), ("1:2:", .str),
            ("1.5", .float), ("1e3", .float), ("1E+3", .float), ("6.8523015e+5", .float), ("-.5", .float),
            (".5", .float), ("1.", .float), ("012345678901", .float), ("190:20:30.15", .float), (".inf", .float),
            ("-.Inf", .float), ("+.INF", .float), (".nan", .float), (".NaN", .float), ("-.nan", .str),
            (".", .str), ("1.2.3", .str), ("1e", .str), ("e3", .str), ("1.5x", .str),
            ("2001-12-14", .timestamp), ("2001-12-14t21:59:43.10-05:00", .timestamp),
            ("2001-12-14 21:59:43.10 -5", .timestamp), ("2001-12-15 2:59:43.10", .timestamp),
            ("2001-12-14T21:59:43Z", .timestamp), ("2001-1-14", .str), ("2001-12-14x", .str),
            ("<<", .merge), ("=", .value),
            ("dev", .str), ("v1", .str), ("system:masters", .str), ("arn:aws:iam::123456789012:role/x", .str),
            ("1.32", .float), ("https://example.com:6443", .str), ("123456789012", .int),
        ])
    func resolution(text: String, tag: YAMLTag) {
        #expect(YAMLTag.resolving(plain: text) == tag, "\(text)")
    }

    @Test("only plain untagged scalars are typed by their text; quoted and block ones are strings")
    func resolvedTags() throws {
        let node = try #require(
            try YAML.compose("a: 123\nb: '123'\nc: \"true\"\nd: |\n  null\ne: !!str 12\nf: ! 12\ng: !!int \"12\"\n"))
        #expect(node["a"]?.scalar?.resolvedTag == .int)
        #expect(node["a"]?.string == nil)
        #expect(node["b"]?.string == "123")
        #expect(node["c"]?.string == "true")
        #expect(node["d"]?.string == "null\n")
        #expect(node["e"]?.scalar == YAMLScalar("12", tag: .str))
        #expect(node["f"]?.string == "12")
        #expect(node["g"]?.scalar?.int == 12)
    }

    @Test("typed values are read in every YAML 1.1 form")
    func typedValues() throws {
        #expect(YAMLScalar("0x1F").int == 31)
        #expect(YAMLScalar("-0o17").int == -15)
        #expect(YAMLScalar("017").int == 15)
        #expect(YAMLScalar("0b1010").int == 10)
        #expect(YAMLScalar("1_000").int == 1000)
        #expect(YAMLScalar("190:20:30").int == 685_230)
        #expect(YAMLScalar("99999999999999999999").int == nil)
        #expect(YAMLScalar("'12'", style: .singleQuoted).int == nil)
        #expect(YAMLScalar("1e3").double == 1000)
        #expect(YAMLScalar("-.5").double == -0.5)
        #expect(YAMLScalar("1_000.5").double == 1000.5)
        #expect(YAMLScalar("190:20:30.15").double == 685_230.15)
        #expect(YAMLScalar("-.inf").double == -.infinity)
        #expect(YAMLScalar(".NaN").double?.isNaN == true)
        #expect(YAMLScalar("Yes").bool == true)
        #expect(YAMLScalar("off").bool == false)
        #expect(YAMLScalar("true", style: .doubleQuoted).bool == nil)
        #expect(YAMLScalar("~").isNull)
        #expect(!YAMLScalar("", style: .singleQuoted).isNull)
    }

    // MARK: Composing

    @Test("mappings keep their order, sequences their items, scalars their style")
    func composeShapes() throws {
        let node = try #require(
            try YAML.compose(
                """
                zeta: plain
                alpha: 'single'
                mid: "double\\tquoted"
                list:
                - one
                - [two, three]
                literal: |
                  line 1
                  line 2
                folded: >
                  folded
                  text
                flow: {a: 1}
                """))
        let mapping = try #require(node.mapping)
        #expect(mapping.pairs.map { $0.key.string } == ["zeta", "alpha", "mid", "list", "literal", "folded", "flow"])
        #expect(node["zeta"]?.scalar == YAMLScalar("plain"))
        #expect(node["alpha"]?.scalar == YAMLScalar("single", style: .singleQuoted))
        #expect(node["mid"]?.scalar == YAMLScalar("double\tquoted", style: .doubleQuoted))
        #expect(node["list"]?[0]?.string == "one")
        #expect(
            node["list"]?[1]?.sequence == YAMLSequence(["two", "three"].map { .scalar(YAMLScalar($0)) }))
        #expect(node["list"]?[2] == nil)
        #expect(node["literal"]?.scalar == YAMLScalar("line 1\nline 2\n", style: .literal))
        #expect(node["folded"]?.scalar == YAMLScalar("folded text\n", style: .folded))
        #expect(node["flow"]?["a"]?.scalar?.int == 1)
        #expect(node["missing"] == nil)
    }

    @Test("an empty, blank or comment-only text holds no document; a bare --- holds a null")
    func emptyDocuments() throws {
        #expect(try YAML.compose("") == nil)
        #expect(try YAML.compose("  \n\n") == nil)
        #expect(try YAML.compose("# only a comment\n") == nil)
        #expect(try YAML.compose("---\n")?.scalar?.isNull == true)
    }

    @Test("a second document is an error at its start, not dropped")
    func multipleDocuments() {
        #expect(composeError("a: 1\n---\nb: 2\n") == .multipleDocuments(at: YAMLMark(line: 2, column: 1)))
        #expect(composeError("a: 1\n...\n---\n") == .multipleDocuments(at: YAMLMark(line: 3, column: 1)))
    }

    @Test("aliases become copies of their anchor's node; merge keys apply on request")
    func anchorsAndAliases() throws {
        let node = try #require(
            try YAML.compose(
                """
                base: &base
                  user: alice
                  groups: &groups [a, b]
                copy: *base
                more:
                  groups: *groups
                merged:
                  <<: *base
                  user: bob
                """))
        #expect(node["copy"] == node["base"])
        #expect(node["more"]?["groups"] == node["base"]?["groups"])
        let merged = try #require(node["merged"]?.mapping)
        #expect(merged["<<"] != nil)
        let applied = merged.applyingMergeKeys()
        #expect(applied.pairs.map { $0.key.string } == ["user", "groups"])
        #expect(applied["user"]?.string == "bob")
        #expect(applied["groups"]?.sequence?.map(\.string) == ["a", "b"])
    }

    @Test("merge keys take a list of mappings, the earlier winning, and merged mappings' own merges")
    func mergeKeyLists() throws {
        let node = try #require(
            try YAML.compose(
                """
                a: &a {p: 1, q: 1}
                b: &b {<<: *a, q: 2, r: 2}
                c:
                  <<: [*b, {s: 3, p: 3}]
                  r: 4
                """))
        let applied = try #require(node["c"]?.mapping?.applyingMergeKeys())
        #expect(applied.pairs.map { $0.key.string } == ["r", "q", "p", "s"])
        #expect(applied["p"]?.scalar?.int == 1)
        #expect(applied["q"]?.scalar?.int == 2)
        #expect(applied["r"]?.scalar?.int == 4)
    }

    @Test("an alias to no anchor, or to the node that holds it, is an error")
    func undefinedAliases() {
        #expect(composeError("a: *nothing\n") == .undefinedAlias("nothing", at: YAMLMark(line: 1, column: 4)))
        #expect(composeError("a: &loop [*loop]\n") == .undefinedAlias("loop", at: YAMLMark(line: 1, column: 11)))
    }

    @Test("a key repeated in one mapping is an error with the repeat's line; a quoted 1 is not the number 1")
    func duplicateKeys() throws {
        #expect(composeError("name: a\nuser: b\nname: c\n") == .duplicateKey("name", at: YAMLMark(line: 3, column: 1)))
        #expect(composeError("{a: 1, 'a': 2}") == .duplicateKey("a", at: YAMLMark(line: 1, column: 8)))
        #expect(try YAML.compose("1: int\n'1': string\n")?.mapping?.count == 2)
        #expect(try YAML.compose("- a: 1\n- a: 2\n")?.sequence?.count == 2)
    }

    @Test("a syntax error names libyaml's problem with its line and column, counted from 1")
    func syntaxErrors() throws {
        let error = try #require(composeError("data: [unclosed\n  mapRoles: {"))
        guard case .syntax(_, let mark, _, _) = error else {
            Issue.record("expected a syntax error, got \(error)")
            return
        }
        #expect(mark.line == 2)
        #expect(error.message.hasPrefix("line 2, column "))
        #expect(!error.message.contains("\n"))
        #expect(error.kind == .badInput)
        let tab = try #require(composeError("a:\n\tb: 1\n"))
        #expect(tab.message.hasPrefix("line 2, column 1: found character that cannot start any token"))
        let unclosed = try #require(composeError("a: 'open\n"))
        #expect(unclosed.message.contains("while scanning a quoted scalar started at line 1, column 4"))
    }

    @Test("a control character is refused with its byte offset")
    func controlCharacters() {
        #expect(
            composeError("a: b\u{7}\n") == .unreadable(problem: "control characters are not allowed", byteOffset: 4))
    }

    // MARK: Bounds

    @Test("a billion laughs document stops at the node bound, not after a billion nodes")
    func billionLaughs() throws {
        var text = "a: &a [" + Array(repeating: "\"x\"", count: 10).joined(separator: ",") + "]\n"
        for (level, name) in "bcdefghij".enumerated() {
            let previous = Array("abcdefghij")[level]
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]\n"
        }
        let error = try #require(composeError(text))
        guard case .tooManyNodes(let limit, let mark) = error else {
            Issue.record("expected the node bound, got \(error)")
            return
        }
        #expect(limit == 200_000)
        #expect(mark.line == 6)
        #expect(error.message.contains("more than 200000 nodes once aliases are expanded"))
    }

    @Test("aliases of a long scalar stop at the text bound")
    func aliasedText() throws {
        let long = String(repeating: "x", count: 1 << 20)
        let text = "a: &a \(long)\nb: [" + Array(repeating: "*a", count: 40).joined(separator: ", ") + "]\n"
        let error = try #require(composeError(text))
        #expect(error == .tooMuchText(limit: 32 << 20, at: YAMLMark(line: 2, column: 125)))
    }

    @Test("deep nesting is an error at the bound, not a stack overflow", arguments: ["[", "{a: ", "- "])
    func deepNesting(opener: String) throws {
        let text = String(repeating: opener, count: 100_000)
        let error = try #require(composeError(text))
        guard case .tooDeep(let limit, _) = error else {
            Issue.record("expected the depth bound, got \(error)")
            return
        }
        #expect(limit == 256)
        #expect(try YAML.compose(String(repeating: "[", count: 256) + String(repeating: "]", count: 256)) != nil)
    }

    @Test("aliases cannot nest the tree past the depth bound either")
    func deepAliases() throws {
        var text = "a0: &a0 []\n"
        for level in 1..<300 { text += "a\(level): &a\(level) [*a\(level - 1)]\n" }
        let error = try #require(composeError(text))
        #expect(error == .tooDeep(limit: 256, at: YAMLMark(line: 256, column: 14)))
    }

    @Test("a text over the size bound is refused before it is parsed")
    func inputSize() {
        let limits = YAMLLimits(maxInputBytes: 10)
        #expect(composeError("a: 12345678", limits: limits) == .tooLarge(bytes: 11, limit: 10))
        #expect(
            composeError(String(repeating: "#", count: (8 << 20) + 1))
                == .tooLarge(bytes: (8 << 20) + 1, limit: 8 << 20))
    }

    // MARK: Serializing

    @Test("a kubeconfig kubectl wrote is written back byte for byte")
    func kubectlRoundTrip() throws {
        #expect(try roundTrip(Self.kubectlKubeconfig) == Self.kubectlKubeconfig + "\n")
    }

    @Test("every scalar style, tags and non-ASCII text survive a round trip; flow collections come back as block")
    func stylesRoundTrip() throws {
        let text = """
            plain: text
            single: 'it''s'
            double: "tab\\there"
            literal: |
              line 1
              line 2
            folded: >
              folded text
            flow: {a: 1, b: [x, y]}
            empty: {}
            none: []
            nothing:
            number: 12
            quoted number: "12"
            tagged: !!str 12
            local: !Ref name
            typed: !!int "12"
            café: naïve ☃
            """
        let written = try roundTrip(text)
        #expect(try YAML.compose(written) == YAML.compose(text).map(Self.quotingTaggedStrings))
        #expect(written.contains("single: 'it''s'\n"))
        #expect(written.contains("double: \"tab\\there\"\n"))
        #expect(written.contains("literal: |\n  line 1\n  line 2\n"))
        #expect(written.contains("folded: >\n  folded text\n"))
        #expect(written.contains("flow:\n  a: 1\n  b:\n  - x\n  - y\n"))
        #expect(written.contains("empty: {}\nnone: []\nnothing:\nnumber: 12\nquoted number: \"12\"\n"))
        #expect(written.contains("tagged: \"12\"\n"))
        #expect(written.contains("local: !Ref name\n"))
        #expect(written.contains("typed: !!int \"12\"\n"))
        #expect(written.contains("café: naïve ☃\n"))
    }

    /// `node` with `!!str` on a plain scalar turned into the double quotes `serialize` writes it with.
    static func quotingTaggedStrings(_ node: YAMLNode) -> YAMLNode {
        switch node {
        case .scalar(let scalar) where scalar.tag == .str && scalar.style == .plain:
            return .scalar(YAMLScalar(scalar.text, style: .doubleQuoted))
        case .scalar: return node
        case .sequence(var sequence):
            sequence.items = sequence.items.map(quotingTaggedStrings)
            return .sequence(sequence)
        case .mapping(var mapping):
            mapping.pairs = mapping.pairs.map {
                YAMLMapping.Pair(key: quotingTaggedStrings($0.key), value: quotingTaggedStrings($0.value))
            }
            return .mapping(mapping)
        }
    }

    @Test(
        "strings that plain would read as another type are written double-quoted and read back as strings",
        arguments: [
            "true", "True", "yes", "y", "N", "off", "123", "-1", "0x1F", "0o17", "017", "1_000", "1e3", ".5",
            ".inf", ".nan", "1:30", "null", "NULL", "~", "", "2001-12-14", "<<", "=",
        ])
    func quotedStrings(text: String) throws {
        let written = try YAML.serialize(.mapping(["key": YAMLNode(text)]))
        #expect(written == "key: \"\(text)\"\n")
        #expect(try YAML.compose(written)?["key"]?.string == text)
    }

    @Test(
        "other strings are written plain, or quoted by libyaml where plain cannot hold them",
        arguments: [
            ("dev", "dev"), ("v1", "v1"), ("1.2.3", "1.2.3"), ("system:masters", "system:masters"),
            ("https://a.example:6443", "https://a.example:6443"), ("a: b", "'a: b'"), (" lead", "' lead'"),
            ("- x", "'- x'"), ("#x", "'#x'"), ("it's", "it's"), ("two\nlines", "'two\n\n  lines'"),
        ])
    func plainStrings(text: String, written: String) throws {
        let yaml = try YAML.serialize(.mapping(["key": YAMLNode(text)]))
        #expect(yaml == "key: \(written)\n")
        #expect(try YAML.compose(yaml)?["key"]?.string == text)
    }

    @Test("lines are never wrapped, sequences sit under their key, mappings indent by 2")
    func layout() throws {
        let long = String(repeating: "QUJD", count: 600)
        let node: YAMLNode = .mapping([
            "clusters": .sequence([.mapping(["cluster": .mapping(["certificate-authority-data": YAMLNode(long)])])]),
            "current-context": "dev",
        ])
        #expect(
            try YAML.serialize(node)
                == "clusters:\n- cluster:\n    certificate-authority-data: \(long)\ncurrent-context: dev\n")
    }

    @Test("a mapping's string subscript replaces in place, appends, and removes")
    func mappingEdits() throws {
        var mapping: YAMLMapping = ["a": "1", "b": "2"]
        mapping["a"] = "one"
        mapping["c"] = "3"
        mapping["b"] = nil
        #expect(mapping.pairs.map { $0.key.string } == ["a", "c"])
        #expect(try YAML.serialize(.mapping(mapping)) == "a: one\nc: \"3\"\n")
    }

    @Test("a tree nested past the bound is refused on writing too")
    func deepWrite() {
        var node: YAMLNode = "leaf"
        for _ in 0..<300 { node = .sequence([node]) }
        #expect(throws: YAMLError.self) { try YAML.serialize(node) }
        #expect(throws: Never.self) { try YAML.serialize(node, maxDepth: 400) }
    }

    @Test("error messages are one line: where, then what")
    func messages() {
        #expect(
            YAMLError.duplicateKey("a\nb", at: YAMLMark(line: 3, column: 1)).message
                == "line 3, column 1: key 'a\\u{a}b' appears twice in one mapping")
        #expect(
            YAMLError.syntax(
                problem: "did not find expected key", at: YAMLMark(line: 3, column: 1),
                context: "while parsing a block mapping", contextMark: YAMLMark(line: 1, column: 1)
            ).message
                == "line 3, column 1: did not find expected key (while parsing a block mapping started at line 1, column 1)"
        )
        #expect(YAMLError.unwritable(problem: "x").kind == .internal)
    }
}
