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
    /// What named the region: the region flag, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`
    /// key, instance metadata, or `.default`.
    public var regionOrigin: SettingSource
    /// The STS endpoint and its signing region.
    public var stsEndpoint: ServiceEndpoint

    /// `regionOrigin` worded for traces and reports ("--region", "AWS_REGION", … or "default").
    public var regionSource: String { regionOrigin.description }

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
        var candidates: [(String?, SettingSource)] = [
            (regionFlag, .flag(.region)), (environment["AWS_REGION"], .environment("AWS_REGION")),
            (environment["AWS_DEFAULT_REGION"], .environment("AWS_DEFAULT_REGION")),
        ]
        if let profile { candidates.append((profile["region"], .profileKey(profile: profile.name, key: "region"))) }
        var region = Region.fallback
        var regionOrigin = SettingSource.default
        for case (let value?, let source) in candidates where !value.isEmpty {
            region = value.trimmingWhitespace()
            regionOrigin = source
            break
        }
        let resolver = STSEndpointResolver(environment: environment, profile: profile, config: config)
        try resolver.validate(region: region, origin: regionOrigin)
        let sts = try resolver.resolve(region: region)
        return AWSSettings(
            selection: selection, profile: profile, config: config, region: region, regionOrigin: regionOrigin,
            stsEndpoint: sts)
    }

    /// The same settings in `region`, named by `origin` (instance metadata, when nothing else named
    /// one), with the STS endpoint resolved again for it.
    /// - Throws: `ConfigError` as `resolve` does.
    public func inRegion(_ region: String, origin: SettingSource, environment: Environment) throws -> AWSSettings {
        let resolver = STSEndpointResolver(environment: environment, profile: profile, config: config)
        try resolver.validate(region: region, origin: origin)
        var copy = self
        copy.region = region
        copy.regionOrigin = origin
        copy.stsEndpoint = try resolver.resolve(region: region)
        return copy
    }
}
