import Yams

extension Node {
    /// The most nodes a YAML document read by eks-auth (aws-auth, kubeconfig) may have once its aliases
    /// are expanded. A kubeconfig with a hundred clusters has a few thousand.
    static let maxExpandedNodes = 200_000

    /// Whether this node, with every alias expanded, has at most `maxExpandedNodes` nodes. Counting
    /// stops at the limit: a few hundred bytes of anchors of anchors ("billion laughs") expand to
    /// 10^9 nodes, which `Yams.load` would build and `Yams.serialize` would write out (a hang under the fuzz harnesses'
    /// 10 s limit).
    var isWithinExpansionLimit: Bool {
        var count = 0
        var pending: [Node] = [self]
        while let node = pending.popLast() {
            count += 1
            if count > Self.maxExpandedNodes { return false }
            switch node {
            case .scalar, .alias: break
            case .sequence(let items): pending.append(contentsOf: items)
            case .mapping(let pairs):
                for pair in pairs {
                    pending.append(pair.key)
                    pending.append(pair.value)
                }
            }
        }
        return true
    }
}
