/// Rewrites the argument lists the peers' kubeconfigs hold into ours, so an exec block can keep its args.
/// (Command-line work: it lives with the flag table, not in the configuration layer.)
///
/// `aws [--region R] [--profile P] [--output json] eks get-token --cluster-name N …` (what
/// `aws eks update-kubeconfig` writes) becomes `token --cluster-name N … --region R --profile P`.
/// aws-iam-authenticator's `token -i N -r ARN` needs no rewriting: `token` accepts its flags.
package enum ForeignArguments {
    /// AWS CLI global options that take a value and that `token` understands. An array, not a `Set`:
    /// building the set on every call cost 0.5 M instructions (its generic type resolved at run time).
    static let globalOptionsWithValue = ["--region", "--profile", "--output"]

    /// `arguments` (without the program name) in our form.
    package static func normalize(_ arguments: [String]) -> [String] {
        var globals: [String] = []
        var index = 0
        while index < arguments.count {
            let arg = arguments[index]
            let name = arg.split(separator: "=", maxSplits: 1).first.map(String.init) ?? arg
            if globalOptionsWithValue.contains(name) {
                globals.append(arg)
                if !arg.contains("="), index + 1 < arguments.count {
                    globals.append(arguments[index + 1])
                    index += 1
                }
                index += 1
            } else {
                break
            }
        }
        let rest = Array(arguments[index...])
        guard rest.count >= 2, rest[0] == "eks", rest[1] == "get-token" else { return arguments }
        return ["token"] + rest.dropFirst(2) + globals
    }
}
