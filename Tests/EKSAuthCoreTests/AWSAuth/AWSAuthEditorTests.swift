import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem
@testable import YAMLDocument

/// Documents and edits for the aws-auth editor.
enum EditFixtures {
    static let admin = "arn:aws:iam::111122223333:role/admin"
    static let node = "arn:aws:iam::111122223333:role/eks-node"
    static let bob = "arn:aws:iam::111122223333:user/bob"

    /// `kubectl get configmap aws-auth -n kube-system -o yaml`, with comments and a node role.
    static let kubectlYAML = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: aws-auth
          namespace: kube-system
          resourceVersion: "4242"
        data:
          # edited by hand: keep this comment
          mapRoles: |
            # the nodes
            - rolearn: arn:aws:iam::111122223333:role/eks-node
              username: system:node:{{EC2PrivateDNSName}}
              groups:
                - system:bootstrappers
                - system:nodes
            # people
            - rolearn: arn:aws:iam::111122223333:role/dev
              username: dev:{{SessionName}}   # who
              groups:
                - dev-team
          mapUsers: |
            - userarn: arn:aws:iam::111122223333:user/bob
              username: bob
              groups:
                - viewers

        """

    static func add(
        role: String = admin, username: String = "admin", groups: [String] = ["system:masters"], replace: Bool = false
    ) -> AWSAuthEdit {
        AWSAuthEdit(subject: .role(role), action: .add(username: username, groups: groups, replace: replace))
    }

    static func remove(_ subject: AWSAuthSubject, ignoreMissing: Bool = false) -> AWSAuthEdit {
        AWSAuthEdit(subject: subject, action: .remove(ignoreMissing: ignoreMissing))
    }

    static func apply(_ edit: AWSAuthEdit, _ text: String) throws -> AWSAuthEdited {
        try AWSAuthEditor.apply(edit, to: text, source: "aws-auth.yaml")
    }
}

/// `parts` as lines, each ending with a line break.
func joinedLines(_ parts: String...) -> String {
    parts.map { $0 + "\n" }.joined()
}

@Suite("aws-auth editor")
struct AWSAuthEditorTests {
    typealias F = EditFixtures

    @Test("add appends the entry after the last one, in the existing items' indentation, and keeps every other byte")
    func addKeepsEverythingElse() throws {
        let edited = try F.apply(F.add(), F.kubectlYAML)
        #expect(edited.outcome == .added)
        let expected = F.kubectlYAML.replacingOccurrences(
            of: "        - dev-team\n",
            with: joinedLines(
                "        - dev-team", "    - rolearn: arn:aws:iam::111122223333:role/admin", "      username: admin",
                "      groups:", "        - system:masters"))
        #expect(edited.text == expected)
        let config = try AWSAuthConfig.parse(edited.text, source: "t")
        #expect(config.entries.map(\.arn) == [F.node, "arn:aws:iam::111122223333:role/dev", F.admin, F.bob])
    }

    @Test("remove takes out the entry's lines (its trailing comment too) and leaves the comments around it")
    func removeKeepsComments() throws {
        let edited = try F.apply(F.remove(.role("arn:aws:iam::111122223333:role/dev")), F.kubectlYAML)
        #expect(edited.outcome == .removed(1))
        let expected = F.kubectlYAML.replacingOccurrences(
            of: joinedLines(
                "    - rolearn: arn:aws:iam::111122223333:role/dev", "      username: dev:{{SessionName}}   # who",
                "      groups:", "        - dev-team"),
            with: "")
        #expect(edited.text == expected)
        #expect(edited.text.contains("    # people\n  mapUsers: |"))
    }

    @Test("a new entry follows groups written under their key without indentation, and a deeper list")
    func followsIndentation() throws {
        let text = """
            data:
              mapRoles: |
                  -   rolearn: arn:aws:iam::111122223333:role/eks-node
                      username: node
                      groups:
                      - system:nodes

            """
        let edited = try F.apply(F.add(groups: ["a", "b"]), text)
        #expect(
            edited.text == text + """
                      -   rolearn: arn:aws:iam::111122223333:role/admin
                          username: admin
                          groups:
                          - a
                          - b

                """)
    }

    @Test("a flow (JSON) list inside the string gets a JSON item, and loses one cleanly")
    func flowList() throws {
        let text = """
            data:
              mapRoles: |
                [{"rolearn": "arn:aws:iam::111122223333:role/eks-node", "username": "node", "groups": ["system:nodes"]}]

            """
        let added = try F.apply(F.add(), text)
        #expect(
            added.text == """
                data:
                  mapRoles: |
                    [{"rolearn": "arn:aws:iam::111122223333:role/eks-node", "username": "node", "groups": ["system:nodes"]}, {"rolearn":"arn:aws:iam::111122223333:role/admin","username":"admin","groups":["system:masters"]}]

                """)
        let removed = try F.apply(F.remove(.role(F.node)), added.text)
        #expect(
            removed.text == """
                data:
                  mapRoles: |
                    [{"rolearn":"arn:aws:iam::111122223333:role/admin","username":"admin","groups":["system:masters"]}]

                """)
        let empty = try F.apply(F.remove(.role(F.admin)), removed.text)
        #expect(empty.text.contains("mapRoles: |\n    []\n"))
    }

    @Test("a '|-' block keeps its chomping: the entry goes in before the end without a final line break")
    func stripChomping() throws {
        let text = "data:\n  mapRoles: |-\n    - rolearn: \(F.node)\n      username: node\n  mapUsers: \"\"\n"
        let edited = try F.apply(F.add(groups: []), text)
        #expect(
            edited.text
                == "data:\n  mapRoles: |-\n    - rolearn: \(F.node)\n      username: node\n"
                + "    - rolearn: \(F.admin)\n      username: admin\n  mapUsers: \"\"\n")
        let removed = try F.apply(F.remove(.role(F.admin)), edited.text)
        #expect(removed.text == text)
    }

    @Test("a '|+' block keeps its trailing blank lines")
    func keepChomping() throws {
        let text = "data:\n  mapRoles: |+\n    - rolearn: \(F.node)\n      username: node\n\n\nkind: ConfigMap\n"
        let edited = try F.apply(F.add(groups: []), text)
        #expect(
            edited.text
                == "data:\n  mapRoles: |+\n    - rolearn: \(F.node)\n      username: node\n"
                + "    - rolearn: \(F.admin)\n      username: admin\n\n\nkind: ConfigMap\n")
    }

    @Test("a CRLF file gets CRLF line breaks in what is added, and keeps its own")
    func crlf() throws {
        let text = F.kubectlYAML.replacingOccurrences(of: "\n", with: "\r\n")
        let edited = try F.apply(F.add(), text)
        let expected = try F.apply(F.add(), F.kubectlYAML).text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(edited.text == expected)
        let removed = try F.apply(F.remove(.role(F.admin)), edited.text)
        #expect(removed.text == text)
    }

    @Test("an empty mapRoles (\"\", an empty block, or none at all) gets the entry as a literal block")
    func emptyLists() throws {
        let quoted = try F.apply(F.add(), "data:\n  mapRoles: \"\"\n  mapUsers: \"\"\n")
        #expect(
            quoted.text
                == "data:\n  mapRoles: |\n    - rolearn: \(F.admin)\n      username: admin\n      groups:\n"
                + "        - system:masters\n  mapUsers: \"\"\n")
        let block = try F.apply(F.add(), "data:\n  mapRoles: |\n  mapUsers: \"\"\n")
        #expect(block.text == quoted.text)
        let missing = try F.apply(F.add(), "data:\n  mapUsers: \"\"\n")
        #expect(
            missing.text
                == "data:\n  mapUsers: \"\"\n  mapRoles: |\n    - rolearn: \(F.admin)\n      username: admin\n"
                + "      groups:\n        - system:masters\n")
        let noData = try F.apply(F.add(), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n")
        #expect(
            noData.text
                == "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\ndata:\n  mapRoles: |\n"
                + "    - rolearn: \(F.admin)\n      username: admin\n      groups:\n        - system:masters\n")
    }

    @Test("JSON in, JSON out: the string is written again with Go's escaping, every other member as it was")
    func json() throws {
        let text = """
            {
                "apiVersion": "v1",
                "data": {
                    "mapRoles": "- rolearn: arn:aws:iam::111122223333:role/eks-node\\n  username: node\\n"
                },
                "kind": "ConfigMap",
                "metadata": {"name": "aws-auth", "namespace": "kube-system", "resourceVersion": "7"}
            }

            """
        let edited = try F.apply(F.add(username: "a<b>"), text)
        let expected = text.replacingOccurrences(
            of: #"username: node\n""#,
            with:
                #"username: node\n- rolearn: arn:aws:iam::111122223333:role/admin\n  username: a\u003cb\u003e\n  groups:\n    - system:masters\n""#
        )
        #expect(edited.text == expected)
        let object = try #require(JSONSerialization.jsonObject(with: Data(edited.text.utf8)) as? [String: Any])
        #expect((object["data"] as? [String: String])?["mapRoles"]?.contains("username: a<b>") == true)
        let users = try F.apply(
            AWSAuthEdit(subject: .user(F.bob), action: .add(username: "bob", groups: [], replace: false)), text)
        #expect(
            users.text.contains(
                "\"mapRoles\": \"- rolearn: arn:aws:iam::111122223333:role/eks-node\\n  username: node\\n\",\n"
                    + "        \"mapUsers\":\"- userarn: arn:aws:iam::111122223333:user/bob\\n  username: bob\\n\"\n    },"
            ))
        #expect((try? JSONSerialization.jsonObject(with: Data(users.text.utf8))) != nil)
    }

    @Test("compact JSON as the API server sends it is edited in place")
    func compactJSON() throws {
        let text =
            #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"aws-auth","resourceVersion":"9","managedFields":[{"fieldsV1":{"f:data":{".":{},"f:mapRoles":{}}}}]},"data":{"mapRoles":"- rolearn: arn:aws:iam::111122223333:role/eks-node\n  username: node\n"}}"#
        let edited = try F.apply(F.remove(.role(F.node)), text)
        #expect(
            edited.text
                == text.replacingOccurrences(
                    of: #"- rolearn: arn:aws:iam::111122223333:role/eks-node\n  username: node\n"#, with: ""))
        let added = try F.apply(
            AWSAuthEdit(subject: .account("111122223333"), action: .add(username: nil, groups: [], replace: false)),
            text)
        #expect(added.text.hasSuffix(#"  username: node\n","mapAccounts":"- \"111122223333\"\n"}}"#))
    }

    @Test("a role ARN with a path is written without it, saying why")
    func pathStripped() throws {
        let edited = try F.apply(F.add(role: "arn:aws:iam::111122223333:role/team/eks/admin"), F.kubectlYAML)
        #expect(edited.key == F.admin)
        #expect(edited.text.contains("- rolearn: \(F.admin)\n"))
        #expect(!edited.text.contains("team/eks"))
        #expect(edited.notes.count == 1)
        #expect(edited.notes.first?.contains("without the path '/team/eks/'") == true)
        // An entry written with the path is this role's: removing by either form takes it out.
        let withPath = F.kubectlYAML.replacingOccurrences(of: "role/dev\n", with: "role/team/dev\n")
        let removed = try F.apply(F.remove(.role("arn:aws:iam::111122223333:role/team/dev")), withPath)
        #expect(removed.outcome == .removed(1))
        #expect(!removed.text.contains("team/dev"))
        // … the path-less form too (the review found it left the entry).
        let bare = try F.apply(F.remove(.role("arn:aws:iam::111122223333:role/dev")), withPath)
        #expect(bare.outcome == .removed(1))
        #expect(!bare.text.contains("team/dev"))
        // Another account's role of the same name is not this one.
        let other = F.kubectlYAML.replacingOccurrences(of: "111122223333:role/dev\n", with: "999922223333:role/dev\n")
        #expect(throws: (any Error).self) { try F.apply(F.remove(.role("arn:aws:iam::111122223333:role/dev")), other) }
    }

    @Test("an assumed-role session ARN is refused with the role ARN to give instead")
    func assumedRole() throws {
        #expect(
            throws: AWSAuthEditError.assumedRoleARN(
                "arn:aws:sts::111122223333:assumed-role/admin/alice", role: F.admin)
        ) {
            try F.apply(F.add(role: "arn:aws:sts::111122223333:assumed-role/admin/alice"), F.kubectlYAML)
        }
        let error = AWSAuthEditError.assumedRoleARN("x", role: F.admin)
        #expect(error.hint == "map the role: --role-arn \(F.admin)")
        #expect(error.kind == .usage)
    }

    @Test(
        "ARNs that are not an IAM role or user are refused",
        arguments: [
            AWSAuthSubject.role("arn:aws:iam::111122223333:user/bob"), .role("not-an-arn"),
            .role("arn:aws:iam::1111:role/x"), .role("arn:aws:s3:::bucket"), .role("arn:nope:iam::111122223333:role/x"),
            .role("arn:aws:iam::111122223333:role/"), .role("arn:aws:iam::111122223333:role/a b"),
            .user("arn:aws:iam::111122223333:role/x"), .account("11112222333"), .account("1111222233334"),
        ])
    func invalidSubjects(subject: AWSAuthSubject) {
        #expect(throws: AWSAuthEditError.self) {
            try F.apply(AWSAuthEdit(subject: subject, action: .remove(ignoreMissing: true)), F.kubectlYAML)
        }
    }

    @Test("a missing username, or a group with a line break, is refused")
    func invalidValues() {
        #expect(throws: AWSAuthEditError.self) {
            try F.apply(
                AWSAuthEdit(subject: .role(F.admin), action: .add(username: nil, groups: [], replace: false)),
                "data: {}")
        }
        #expect(throws: AWSAuthEditError.self) { try F.apply(F.add(groups: ["a\nb"]), F.kubectlYAML) }
        #expect(throws: AWSAuthEditError.self) { try F.apply(F.add(username: " x"), F.kubectlYAML) }
    }

    @Test("adding an identical entry changes nothing, whatever the ARN's case and the groups' order")
    func idempotent() throws {
        let once = try F.apply(F.add(groups: ["a", "b"]), F.kubectlYAML)
        let twice = try F.apply(F.add(groups: ["a", "b"]), once.text)
        #expect(twice.outcome == .unchanged)
        #expect(twice.text == once.text)
        #expect(twice.summary == "unchanged: the mapRoles entry for \(F.admin) is already as asked")
        let node = try F.apply(
            F.add(
                role: "arn:aws:iam::111122223333:role/EKS-NODE",
                username: "system:node:{{EC2PrivateDNSName}}", groups: ["system:nodes", "system:bootstrappers"]),
            F.kubectlYAML)
        #expect(node.outcome == .unchanged)
    }

    @Test("a different entry for the same ARN is refused, and with replace rewritten in place")
    func replace() throws {
        #expect(throws: AWSAuthEditError.self) {
            try F.apply(F.add(role: F.node, username: "n", groups: ["g"]), F.kubectlYAML)
        }
        do {
            _ = try F.apply(F.add(role: F.node, username: "n", groups: ["g"]), F.kubectlYAML)
        } catch let error as AWSAuthEditError {
            #expect(error.kind == .configuration)
            #expect(error.message.contains("mapRoles[0]"))
            #expect(error.message.contains("username system:node:{{EC2PrivateDNSName}}"))
        }
        let replaced = try F.apply(F.add(role: F.node, username: "n", groups: ["g"], replace: true), F.kubectlYAML)
        #expect(replaced.outcome == .replaced)
        // `n` is a boolean in YAML 1.1, as the authenticator's reader takes it: written quoted.
        #expect(
            replaced.text
                == F.kubectlYAML.replacingOccurrences(
                    of: joinedLines(
                        "    - rolearn: arn:aws:iam::111122223333:role/eks-node",
                        "      username: system:node:{{EC2PrivateDNSName}}", "      groups:",
                        "        - system:bootstrappers",
                        "        - system:nodes"),
                    with: joinedLines(
                        "    - rolearn: arn:aws:iam::111122223333:role/eks-node", "      username: \"n\"",
                        "      groups:",
                        "        - g")))
    }

    @Test("replace rewrites the first of duplicate entries and removes the others")
    func duplicates() throws {
        let text =
            "data:\n  mapRoles: |\n    - rolearn: \(F.admin)\n      username: a\n    - rolearn: \(F.node)\n      username: n\n    - rolearn: arn:aws:iam::111122223333:role/ADMIN\n      username: b\n"
        let edited = try F.apply(F.add(groups: [], replace: true), text)
        #expect(
            edited.text
                == "data:\n  mapRoles: |\n    - rolearn: \(F.admin)\n      username: admin\n    - rolearn: \(F.node)\n      username: n\n"
        )
    }

    @Test("removing an absent entry is an error, or with ignoreMissing changes nothing")
    func removeMissing() throws {
        #expect(
            throws: AWSAuthEditError.entryMissing(list: "mapRoles", arn: F.admin, source: "aws-auth.yaml data.mapRoles")
        ) {
            try F.apply(F.remove(.role(F.admin)), F.kubectlYAML)
        }
        let edited = try F.apply(F.remove(.role(F.admin), ignoreMissing: true), F.kubectlYAML)
        #expect(edited.outcome == .unchanged)
        #expect(edited.text == F.kubectlYAML)
    }

    @Test("removing the last item of a list without a final line break keeps the text ending as it did")
    func removeLastWithoutBreak() throws {
        let text = "data:\n  mapUsers: \"- userarn: a\\n  username: a\\n- userarn: \(F.bob)\\n  username: bob\""
        let edited = try F.apply(F.remove(.user(F.bob)), text)
        #expect(edited.text == "data:\n  mapUsers: \"- userarn: a\\n  username: a\"")
    }

    @Test("a list added after a block scalar that ends the file without a line break gives that block one")
    func afterBlockAtEndOfFile() throws {
        let text = "data:\n  mapUsers: |\n    - userarn: \(F.bob)\n      username: bob"
        let add = AWSAuthEdit(
            subject: .account("012345678901"), action: .add(username: nil, groups: [], replace: false))
        let edited = try F.apply(add, text)
        #expect(edited.text == text + "\n  mapAccounts: |\n    - \"012345678901\"")
    }

    @Test("mapAccounts: accounts are written quoted, matched as written, removed")
    func accounts() throws {
        let add = AWSAuthEdit(
            subject: .account("012345678901"), action: .add(username: nil, groups: [], replace: false))
        let edited = try F.apply(add, F.kubectlYAML)
        #expect(edited.text == F.kubectlYAML + "  mapAccounts: |\n    - \"012345678901\"\n")
        #expect(try AWSAuthConfig.parse(edited.text, source: "t").accounts == ["012345678901"])
        #expect(try F.apply(add, edited.text).outcome == .unchanged)
        let removed = try F.apply(F.remove(.account("012345678901")), edited.text)
        #expect(try AWSAuthConfig.parse(removed.text, source: "t").accounts.isEmpty)
    }

    @Test("a list with anchors, a list that is not a string, and a document that is not a ConfigMap are refused")
    func refusedLayouts() {
        let anchored = "data:\n  mapRoles: |\n    - &a\n      rolearn: \(F.node)\n      username: n\n    - *a\n"
        #expect(throws: AWSAuthEditError.self) { try F.apply(F.add(), anchored) }
        let list = "data:\n  mapRoles:\n    - rolearn: \(F.node)\n      username: n\n"
        #expect(throws: AWSAuthEditError.self) { try F.apply(F.add(), list) }
        #expect(throws: AWSAuthEditError.self) { try F.apply(F.add(), "kind: Secret\ndata: {}\n") }
        #expect(throws: AWSAuthEditError.self) { try F.apply(F.add(), "- a\n") }
        #expect(throws: AWSAuthEditError.self) { try F.apply(F.add(), "data:\n  mapRoles: |\n    rolearn: x\n") }
        let breaks = AWSAuthEditError.unsupportedLayout(
            source: "aws-auth.yaml", reason: "it has line breaks other than LF and CRLF (a lone CR, NEL, LS or PS)")
        #expect(throws: breaks) {
            try F.apply(F.add(), F.kubectlYAML.replacingOccurrences(of: "# edited by hand", with: "#\r edited by hand"))
        }
        #expect(throws: breaks) { try F.apply(F.add(), F.kubectlYAML + "# \u{2028}\n") }
    }

    @Test("text over the bound is refused before it is read")
    func bounds() {
        let huge = "data:\n  mapRoles: |\n" + String(repeating: "    # padding padding padding\n", count: 60_000)
        #expect(huge.utf8.count > AWSAuthEditor.maximumBytes)
        #expect(
            throws: AWSAuthEditError.tooLarge(
                source: "aws-auth.yaml", bytes: huge.utf8.count, limit: AWSAuthEditor.maximumBytes)
        ) {
            try F.apply(F.add(), huge)
        }
    }

    @Test("a scalar that plain would read as another type is quoted")
    func quoting() throws {
        let edited = try F.apply(
            F.add(username: "{{SessionName}}", groups: ["true", "a: b"]), "data:\n  mapRoles: \"\"\n")
        #expect(edited.text.contains("username: '{{SessionName}}'\n"))
        #expect(edited.text.contains("- \"true\"\n"))
        #expect(edited.text.contains("- 'a: b'\n"))
    }

    @Test("the diff shows the changed lines with three lines of context")
    func diff() throws {
        let edited = try F.apply(F.remove(.role("arn:aws:iam::111122223333:role/dev")), F.kubectlYAML)
        #expect(
            AWSAuthDiff.unified(edited.before, edited.after, name: "mapRoles")
                == joinedLines(
                    "--- a/mapRoles", "+++ b/mapRoles", "@@ -5,7 +5,3 @@", "     - system:bootstrappers",
                    "     - system:nodes", " # people", "-- rolearn: arn:aws:iam::111122223333:role/dev",
                    "-  username: dev:{{SessionName}}   # who", "-  groups:", "-    - dev-team"))
        #expect(AWSAuthDiff.unified("a\n", "a\n", name: "x") == "")
    }
}

@Suite("aws-auth outline")
struct YAMLOutlineTests {
    @Test("offsets are bytes, past multi-byte characters and a byte-order mark")
    func offsets() throws {
        let text = "\u{FEFF}é: [ü, \"x\"]\n"
        let root = try #require(try YAML.outline(text))
        let value = try #require(root["é"])
        let bytes = Array(text.utf8)
        #expect(String(decoding: bytes[value.start..<value.end], as: UTF8.self) == "[ü, \"x\"]")
        #expect(String(decoding: bytes[value.children[1].start..<value.children[1].end], as: UTF8.self) == "\"x\"")
    }
}
