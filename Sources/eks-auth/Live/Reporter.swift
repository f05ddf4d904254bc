import AWSSigning
import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthPlatform
import EKSAuthSystem
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes errors, warnings and the `--verbose` trace to stderr: as `eks-auth: …` lines, or with
/// `--log-format json` as one JSON object a line.
struct Reporter: Sendable {
    let verbose: Bool

    /// The tracer handed to the core: prints only with `--verbose`.
    var tracer: Tracer {
        verbose ? Tracer(structured: { Reporter.write(level: .debug, $0, fields: $1) }) : .silent
    }

    func warn(_ message: String) {
        Reporter.write(level: .warning, message)
    }

    /// The longest line written to stderr; the rest is left out, saying so.
    static let maximumLineLength = 4_000

    /// Whether stderr gets JSON lines; set once, from the arguments, before anything is written.
    private static let writesJSON = Atomic<Bool>(false)

    /// The format every line on stderr is written in (`--log-format`).
    static var logFormat: LogFormat {
        get { writesJSON.load(ordering: .relaxed) ? .json : .text }
        set { writesJSON.store(newValue == .json, ordering: .relaxed) }
    }

    /// What a line on stderr is; the JSON `level` names are logrus's, as aws-iam-authenticator writes them.
    enum Level: String {
        case debug, info, warning, error
    }

    /// Writes an error and its hint: two `eks-auth: error:` / `eks-auth: hint:` lines, or one JSON
    /// object with `msg`, `hint` and `exitCode`.
    static func writeError(_ message: String, hint: String?, code: Int32) {
        switch logFormat {
        case .text:
            writeStderr("eks-auth: error: \(message)")
            if let hint { writeStderr("eks-auth: hint: \(hint)") }
        case .json:
            let line = jsonLine(level: .error, message, fields: hint.map { [("hint", $0)] } ?? [], exitCode: code)
            LiveSystem.write(line + "\n", to: STDERR_FILENO)
        }
    }

    /// Writes `message` at `level` in the chosen format.
    static func write(level: Level, _ message: String, fields: TraceFields = [:]) {
        switch logFormat {
        case .text:
            writeStderr(level == .warning ? "eks-auth: warning: \(message)" : "eks-auth: \(message)")
        case .json:
            LiveSystem.write(
                jsonLine(level: level, message, fields: fields.map { ($0.key, $0.value) }) + "\n", to: STDERR_FILENO)
        }
    }

    /// One JSON object: `time` (RFC 3339, UTC), `level`, `msg`, then `fields` in order, then `exitCode`
    /// (a number) for an error. Every value is sanitised for a terminal as the text lines are (escapes
    /// stay visible after JSON decoding) and bounded by `maximumLineLength`.
    static func jsonLine(
        level: Level, _ message: String, fields: [(String, String)], exitCode: Int32? = nil, at date: Date = Date()
    ) -> String {
        let members =
            [("time", Timestamp.rfc3339(date)), ("level", level.rawValue), ("msg", message)] + fields
        var body = members.map { key, value in
            JSONText.quote(key) + ":" + JSONText.quote(TerminalText.line(value, limit: maximumLineLength))
        }
        if let exitCode { body.append("\"exitCode\":\(exitCode)") }
        return "{" + body.joined(separator: ",") + "}"
    }

    /// Writes `line` with its control characters escaped (it may carry text from outside: a service's
    /// message, a cluster name, a file's contents) and at most `maximumLineLength` characters.
    static func writeStderr(_ line: String) {
        let safe = TerminalText.line(line, limit: maximumLineLength)
        LiveSystem.write(safe + "\n", to: STDERR_FILENO)
    }
}
