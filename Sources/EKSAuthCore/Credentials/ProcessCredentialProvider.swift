import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Credentials printed by a profile's `credential_process` command (run without a shell, split with
/// the AWS CLI's quoting rules), as JSON `Version` 1. Results with an `Expiration` are cached until
/// shortly before it, so the command is not run on every kubectl call.
public struct ProcessCredentialProvider: CredentialProvider {
    /// The default limit on the command's run time, in seconds (`EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT`).
    public static let defaultTimeout = 60.0

    /// The command line as configured; nil when the profile has none.
    public var command: String?
    /// The profile holding it.
    public var profileName: String
    let system: SystemContext

    /// A provider for `command` of profile `profileName`, run through `system`.
    public init(command: String?, profileName: String, system: SystemContext) {
        self.command = command
        self.profileName = profileName
        self.system = system
    }

    /// A provider for the `credential_process` of `profile`.
    public init(profile: Profile, system: SystemContext) {
        self.init(command: profile["credential_process"], profileName: profile.name, system: system)
    }

    /// The command's time limit from `EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT`.
    /// - Throws: `CredentialError.invalidValue`.
    static func timeout(in environment: Environment) throws -> Double {
        guard let text = environment["EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT"] else { return defaultTimeout }
        guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
            throw CredentialError.invalidValue(
                name: "EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT", source: "the environment",
                expected: "a number of seconds (up to 3600)")
        }
        return seconds
    }

    /// The credentials, from the cache while fresh, else by running the command; passed over when
    /// there is no command.
    /// - Throws: `CredentialError.processFailed`, `.processOutputInvalid`, `.invalidValue`.
    public func credentials() throws -> ProviderOutcome {
        guard let command else { return .passedOver("no credential_process") }
        let arguments: [String]
        do {
            arguments = try ShellWords.split(command)
        } catch ShellWordsError.unterminated(let what) {
            throw CredentialError.invalidValue(
                name: "credential_process", source: "profile '\(profileName)'",
                expected: "every quote closed, as the AWS CLI splits it (found an unterminated \(what))")
        }
        guard !arguments.isEmpty else {
            throw CredentialError.processFailed(profile: profileName, reason: "is empty")
        }
        let timeout = try Self.timeout(in: system.environment)
        let source = CredentialSource.process(profile: profileName)
        // The key's fields (its role too) make the digest that names existing cache files: keep them.
        let key = CacheKey(
            baseAccessKeyID: "credential-process:\(command)", profile: profileName, roleARN: "credential_process",
            externalID: nil, sessionName: nil, serialNumber: nil, durationSeconds: 0, endpoint: "", kind: .process)
        let found = try CredentialCache.through(
            key, system: system, label: source.description, lockTimeout: timeout + 5
        ) {
            CachedCredentials(credentials: try run(arguments, timeout: timeout, system: system), session: .process)
        }
        return .found(ResolvedCredentials(credentials: found.credentials, source: source))
    }

    func run(_ arguments: [String], timeout: Double, system: SystemContext) throws -> AWSCredentials {
        system.tracer("credentials: running credential_process of profile '\(profileName)' (\(arguments[0]))")
        let result: ProcessResult
        do {
            // Someone at a terminal sees the command's prompts (an MFA code, a browser hint); under
            // kubectl without a terminal its stderr only ends up in the error when it fails.
            result = try system.processes.run(
                ProcessRequest(
                    arguments: arguments, timeout: timeout, echoStderr: system.canPrompt,
                    environment: [Self.chainVariable: Self.chain(adding: profileName, in: system.environment)]))
        } catch let error as ProcessRunError {
            switch error {
            case .timedOut:
                throw CredentialError.processFailed(
                    profile: profileName, reason: "did not finish within \(HTTPTransportError.seconds(timeout))")
            case .cannotStart(let why):
                throw CredentialError.processFailed(profile: profileName, reason: "could not be started: \(why)")
            }
        }
        guard result.status == 0 else {
            var said = Self.lastLine(of: result.stderr)
            // A command that printed its keys and then failed must not have them echoed in our error.
            if let printed = EndpointCredentialsReply.decode(result.stdout) {
                for secret in [printed.secretAccessKey, printed.sessionToken, printed.token].compactMap({ $0 })
                where secret.count >= 4 {
                    said = said.replacingAll(secret, with: "<redacted>")
                }
            }
            throw CredentialError.processFailed(
                profile: profileName,
                reason: "exited with status \(result.status)" + (said.isEmpty ? " (no message on stderr)" : ": \(said)")
            )
        }
        func invalid(_ why: String) -> CredentialError {
            .processOutputInvalid(profile: profileName, reason: "printed invalid output: \(why)")
        }
        guard let reply = EndpointCredentialsReply.decode(result.stdout) else {
            throw invalid("not a JSON object with the credentials (Version 1)")
        }
        guard let version = reply.version else { throw invalid("Version is missing") }
        guard version == 1 else { throw invalid("Version is \(version), only 1 is supported") }
        switch reply.credentials() {
        case .success(let credentials): return credentials
        case .failure(let problem): throw invalid(problem.reason)
        }
    }

    /// The profiles whose credential_process is running, outermost first, `,`-separated: set in each
    /// command's environment so that `eks-auth credential-process` run by it sees a profile that leads
    /// back to itself at once (it would otherwise wait on the cache lock its caller holds).
    public static let chainVariable = "EKS_AUTH_CREDENTIAL_PROCESS_CHAIN"

    /// The chain of `environment` with `profile` added.
    static func chain(adding profile: String, in environment: Environment) -> String {
        let chain = (environment[chainVariable] ?? "").split(separator: ",").map(String.init)
        return (chain + [profile]).joined(separator: ",")
    }

    /// The last non-empty line of `stderr` saying `error:`, else its last non-empty line; control characters
    /// dropped and cut to 300 characters.
    static func lastLine(of stderr: [UInt8]) -> String {
        let text = String(decoding: stderr.suffix(4096), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.trimmingWhitespace().isEmpty }
        // A tool that ends with a hint (eks-auth itself: "error: …" then "hint: …") said what failed in
        // its last error line; other tools' last line is kept.
        let line = lines.last { $0.contains("error:") && !$0.contains("hint:") } ?? lines.last ?? ""
        let clean = String(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
        return String(clean.trimmingWhitespace().prefix(300))
    }
}
