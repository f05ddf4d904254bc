import ArgumentParser

/// How eks-auth writes to stderr (`--log-format`): the trace of `--verbose`, warnings and errors.
package enum LogFormat: String, Sendable, Equatable, CaseIterable, ExpressibleByArgument {
    /// `eks-auth: …` lines for people.
    case text
    /// One JSON object a line for log collectors: `time`, `level`, `msg` and the line's fields, named
    /// as aws-iam-authenticator's logrus output names them where the two overlap.
    case json

    /// The format the last `--log-format` in `arguments` asks for (`--log-format X`, `--log-format=X` or
    /// aws-iam-authenticator's `-l X`, before a `--`), so that errors found while parsing are written in it
    /// too; text when none is given or the value is not a format (the parser then refuses it, in text).
    package static func requested(in arguments: [String]) -> LogFormat {
        var format = LogFormat.text
        var index = arguments.startIndex
        while index < arguments.endIndex, arguments[index] != "--" {
            let argument = arguments[index]
            if argument == "--log-format" || argument == "-l", index + 1 < arguments.endIndex {
                format = LogFormat(rawValue: arguments[index + 1]) ?? format
                index += 1
            } else if argument.hasPrefix("--log-format=") {
                format = LogFormat(rawValue: String(argument.dropFirst("--log-format=".count))) ?? format
            }
            index += 1
        }
        return format
    }
}

/// `--log-format`, for every command that traces with `--verbose` or may warn.
package struct LogOptions: ParsableArguments {
    @Option(
        name: TokenFlag.logFormat.names,
        help: "How to write the trace, warnings and errors on stderr: text, or json (one object a line).")
    package var format: LogFormat = .text

    /// ArgumentParser's initializer; the value comes from parsing.
    package init() {}
}
