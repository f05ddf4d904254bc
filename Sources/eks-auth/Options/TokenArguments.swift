import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import EKSAuthCore

/// The parsed arguments of `eks-auth token`, from ArgumentParser or from the fast path.
struct TokenArguments: Equatable {
    var values: [TokenFlag: String] = [:]
    var switches: Set<TokenFlag> = []

    /// Reads `arguments` (after the `token` word) without ArgumentParser, which costs about
    /// 2 ms of runtime type look-ups on every kubectl call. Returns nil for anything it does not
    /// plainly understand (help, unknown or repeated flags, a missing value, a bad `--output`),
    /// and ArgumentParser then parses the same arguments and reports any error.
    static func scan(_ arguments: ArraySlice<String>) -> TokenArguments? {
        var result = TokenArguments()
        var index = arguments.startIndex
        while index < arguments.endIndex {
            var argument = arguments[index]
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                inlineValue = String(argument[argument.index(after: equals)...])
                argument = String(argument[..<equals])
            }
            guard let flag = TokenFlag.named(argument) else { return nil }
            if flag.takesValue {
                guard result.values[flag] == nil else { return nil }
                if let inlineValue {
                    result.values[flag] = inlineValue
                } else {
                    index += 1
                    guard index < arguments.endIndex, !arguments[index].hasPrefix("-") else { return nil }
                    result.values[flag] = arguments[index]
                }
            } else {
                guard inlineValue == nil, !result.switches.contains(flag) else { return nil }
                result.switches.insert(flag)
            }
            index += 1
        }
        if let output = result.values[.output], output != "json" { return nil }
        if let duration = result.values[.durationSeconds], Int(duration) == nil { return nil }
        return result
    }

    subscript(_ flag: TokenFlag) -> String? { values[flag] }
    func isSet(_ flag: TokenFlag) -> Bool { switches.contains(flag) }

    /// The role to assume from `--role-arn` (or `DEFAULT_ROLE`) and its companion flags; nil without one.
    /// - Throws: `RoleRequestError` when a companion flag is given without a role.
    func roleRequest(environment: Environment) throws -> RoleRequest? {
        try RoleRequest.fromFlags(
            roleARN: self[.roleARN], defaultRole: environment["DEFAULT_ROLE"], externalID: self[.externalID],
            sessionName: self[.sessionName], forwardSessionName: isSet(.forwardSessionName),
            durationSeconds: self[.durationSeconds].flatMap { Int($0) }, serialNumber: self[.serialNumber],
            tokenCode: self[.tokenCode], useCache: !isSet(.noCache))
    }
}
