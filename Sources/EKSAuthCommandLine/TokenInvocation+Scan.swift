// No ArgumentParser here: this file is the start-up fast path.

extension TokenInvocation {
    /// Reads `arguments` (after the `token` word) without ArgumentParser, which costs about 2 ms of
    /// runtime type look-ups on every kubectl call. Returns nil for anything it does not plainly
    /// understand (help, unknown or repeated flags, a missing or empty `=` value, a value starting with `-`, a bad
    /// `--output` or `--duration-seconds`); ArgumentParser then parses the same arguments and decides.
    package static func scan(_ arguments: ArraySlice<String>) -> TokenInvocation? {
        var result = TokenInvocation()
        // An array, not a Set: a Set's first use makes the runtime check `TokenFlag: Hashable`, which scans
        // every conformance record in the binary (about 0.5 M instructions, measured with callgrind); a
        // command line holds a handful of flags.
        var seen: [TokenFlag] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            var argument = arguments[index]
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                inlineValue = String(argument[argument.index(after: equals)...])
                argument = String(argument[..<equals])
            }
            guard let flag = TokenFlag.named(argument), !seen.contains(flag) else { return nil }
            seen.append(flag)
            if flag.takesValue {
                let value: String
                if let inlineValue {
                    // ArgumentParser reads `--flag=` as a flag without its value.
                    guard !inlineValue.isEmpty else { return nil }
                    value = inlineValue
                } else {
                    index += 1
                    guard index < arguments.endIndex, !arguments[index].hasPrefix("-") else { return nil }
                    value = arguments[index]
                }
                guard result.set(flag, to: value) else { return nil }
            } else {
                guard inlineValue == nil else { return nil }
                result.set(flag)
            }
            index += 1
        }
        return result
    }

    /// Stores `value` for the value-taking `flag`; false when the value is not one the flag takes.
    private mutating func set(_ flag: TokenFlag, to value: String) -> Bool {
        switch flag {
        case .clusterName: clusterName = value
        case .region: credentials.region = value
        case .profile: credentials.profile = value
        case .roleARN: credentials.roleARN = value
        case .externalID: credentials.externalID = value
        case .sessionName: credentials.sessionName = value
        case .serialNumber: credentials.serialNumber = value
        case .tokenCode: credentials.tokenCode = value
        case .durationSeconds:
            guard let seconds = Int(value) else { return false }
            credentials.durationSeconds = seconds
        case .output:
            guard let format = TokenOutputFormat(rawValue: value) else { return false }
            output = format
        case .logFormat:
            guard let format = LogFormat(rawValue: value) else { return false }
            logFormat = format
        case .verbose, .tokenOnly, .forwardSessionName, .noCache, .cache: return false
        }
        return true
    }

    /// Turns on the switch `flag`.
    private mutating func set(_ flag: TokenFlag) {
        switch flag {
        case .verbose: verbose = true
        case .tokenOnly: tokenOnly = true
        case .cache: cache = true
        case .forwardSessionName: credentials.forwardSessionName = true
        case .noCache: credentials.noCache = true
        default: break
        }
    }
}
