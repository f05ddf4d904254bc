/// Finds base credentials in the order of the AWS SDKs: environment variables, then the profile.
public struct CredentialChain: Sendable {
    let settings: AWSSettings
    let environment: Environment
    let tracer: Tracer

    /// A chain over `settings` and `environment`, tracing each source it tries.
    public init(settings: AWSSettings, environment: Environment, tracer: Tracer = .silent) {
        self.settings = settings
        self.environment = environment
        self.tracer = tracer
    }

    /// The first credentials found.
    /// - Throws: `CredentialError.noCredentials` listing every source and why it gave nothing,
    ///   or the error of a source that is configured but broken.
    public func resolve() throws -> ResolvedCredentials {
        var skipped: [SkippedSource] = []
        if settings.selection.isFromFlag {
            skipped.append(SkippedSource(source: "environment", reason: "ignored because --profile was given"))
        } else if let found = try EnvironmentCredentialProvider(environment: environment).credentials() {
            tracer("credentials: \(found.source) (access key \(found.credentials.accessKeyID))")
            return found
        } else {
            skipped.append(SkippedSource(source: "environment", reason: "AWS_ACCESS_KEY_ID not set"))
        }
        tracer("credentials: environment passed over (\(skipped.last!.reason))")
        let name = settings.selection.name
        if let profile = settings.profile {
            if let found = try ProfileCredentialProvider(profile: profile).credentials() {
                tracer("credentials: \(found.source) (access key \(found.credentials.accessKeyID))")
                return found
            }
            skipped.append(SkippedSource(source: "profile '\(name)'", reason: "no aws_access_key_id"))
        } else {
            skipped.append(
                SkippedSource(
                    source: "profile '\(name)'",
                    reason: "not in \(settings.config.configPath) or \(settings.config.credentialsPath)"))
        }
        tracer("credentials: profile '\(name)' passed over (\(skipped.last!.reason))")
        throw CredentialError.noCredentials(tried: skipped)
    }
}
