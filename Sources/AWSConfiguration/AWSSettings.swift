import AWSSigning
import EKSAuthSystem

/// The AWS settings in effect for one run: profile, region and STS endpoint, each with its source.
public struct AWSSettings: Sendable, Equatable {
    /// The selected profile.
    public var selection: ProfileSelection
    /// The profile's merged keys; nil when no file has it.
    public var profile: Profile?
    /// The shared files as read.
    public var config: SharedConfig
    /// The region.
    public var region: String
    /// What named the region: "--region", "AWS_REGION", … or "default".
    public var regionSource: String
    /// The STS endpoint and its signing region.
    public var stsEndpoint: ServiceEndpoint

    /// Resolves the settings from the flags, the environment and the shared files.
    /// - Throws: `ConfigError` for unreadable files, a missing named profile, a bad region or switch.
    public static func resolve(
        profileFlag: String?, regionFlag: String?, environment: Environment, fileSystem: FileSystem
    ) throws -> AWSSettings {
        let config = try SharedConfig.load(environment: environment, fileSystem: fileSystem)
        let selection = ProfileSelection.select(flag: profileFlag, environment: environment)
        let profile = config.profile(named: selection.name)
        if profile == nil, selection.isExplicit {
            throw ConfigError.profileNotFound(
                profile: selection.name, selectedBy: selection.selectedBy,
                files: [config.configPath, config.credentialsPath])
        }
        var candidates: [(String?, String)] = [
            (regionFlag, "--region"), (environment["AWS_REGION"], "AWS_REGION"),
            (environment["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"),
        ]
        if let profile { candidates.append((profile["region"], "region in profile '\(profile.name)'")) }
        var region = Region.fallback
        var regionSource = "default"
        for case (let value?, let source) in candidates where !value.isEmpty {
            region = value.trimmingWhitespace()
            regionSource = source
            break
        }
        guard Region.isValid(region) else { throw ConfigError.invalidRegion(region, source: regionSource) }
        let sts = try STSEndpointResolver(environment: environment, profile: profile, config: config)
            .resolve(region: region)
        return AWSSettings(
            selection: selection, profile: profile, config: config, region: region, regionSource: regionSource,
            stsEndpoint: sts)
    }

    /// The same settings in `region`, named by `source` (the region instance metadata reports when
    /// nothing else named one), with the STS endpoint resolved again for it.
    /// - Throws: `ConfigError` as `resolve` does.
    public func inRegion(_ region: String, source: String, environment: Environment) throws -> AWSSettings {
        guard Region.isValid(region) else { throw ConfigError.invalidRegion(region, source: source) }
        var copy = self
        copy.region = region
        copy.regionSource = source
        copy.stsEndpoint = try STSEndpointResolver(environment: environment, profile: profile, config: config)
            .resolve(region: region)
        return copy
    }
}
