import AWSSigning
import EKSAuthSystem

/// An endpoint together with the region its requests are signed for.
public struct ServiceEndpoint: Sendable, Equatable {
    /// Where requests go.
    public var endpoint: Endpoint
    /// The SigV4 signing region.
    public var signingRegion: String
    /// Why this endpoint: e.g. "regional", "legacy global", "AWS_ENDPOINT_URL_STS".
    public var source: String

    /// An endpoint from parts.
    public init(endpoint: Endpoint, signingRegion: String, source: String) {
        self.endpoint = endpoint
        self.signingRegion = signingRegion
        self.source = source
    }
}

/// Picks the STS endpoint as the AWS SDKs' endpoint rules do (botocore's STS rule set, 1.43).
public struct STSEndpointResolver: Sendable {
    /// Regions where `sts_regional_endpoints = legacy` meant the global endpoint.
    public static let legacyGlobalRegions: Set<String> = [
        "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
        "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1",
        "us-east-2", "us-west-1", "us-west-2",
    ]

    let environment: Environment
    let profile: Profile?
    let config: SharedConfig?

    /// A resolver reading switches from `environment`, then `profile`.
    public init(environment: Environment, profile: Profile?, config: SharedConfig? = nil) {
        self.environment = environment
        self.profile = profile
        self.config = config
    }

    /// Refuses a region `token` cannot sign for: a name that is not a region at all, or, when the STS host
    /// is built from the region, one STS has no endpoint in (`Region.known`, from botocore's data), with
    /// the nearest known name when it looks like a typo.
    ///
    /// Two sources skip the second check. A configured endpoint (`AWS_ENDPOINT_URL_STS`, `endpoint_url`)
    /// does not take its host from the region, and a local fake or LocalStack accepts any region name in
    /// the signature (EKS refuses such a token for its host anyway, whatever the region). And a region
    /// reported by instance metadata is AWS's own answer for the machine, newer than any copy of the data.
    /// - Throws: `ConfigError.invalidRegion` or `.unknownRegion`, naming `origin`.
    public func validate(region: String, origin: SettingSource) throws {
        guard Region.isValid(region) else {
            throw ConfigError.invalidRegion(region, source: origin.located(in: profile))
        }
        guard !Region.isKnown(region), origin != .instanceMetadata, try configuredEndpoint() == nil else { return }
        throw ConfigError.unknownRegion(
            region, source: origin.located(in: profile), suggestion: Region.suggestion(for: region))
    }

    /// The endpoint for `region`.
    /// - Throws: `ConfigError.invalidSetting` or `.invalidEndpoint` for bad switches or URLs.
    public func resolve(region: String) throws -> ServiceEndpoint {
        if let custom = try configuredEndpoint() {
            return ServiceEndpoint(endpoint: custom.endpoint, signingRegion: region, source: custom.source)
        }
        let fips = try flag(env: "AWS_USE_FIPS_ENDPOINT", key: "use_fips_endpoint")
        let dualStack = try flag(env: "AWS_USE_DUALSTACK_ENDPOINT", key: "use_dualstack_endpoint")
        let partition = Partition.of(region: region)
        if fips || dualStack {
            let host: String
            switch (fips, dualStack) {
            case (true, true): host = "sts-fips.\(region).\(partition.dualStackDNSSuffix)"
            case (true, false) where partition.id == "aws-us-gov": host = "sts.\(region).amazonaws.com"
            case (true, false): host = "sts-fips.\(region).\(partition.dnsSuffix)"
            default: host = "sts.\(region).\(partition.dualStackDNSSuffix)"
            }
            let kind = [fips ? "FIPS" : nil, dualStack ? "dual-stack" : nil].compactMap { $0 }.joined(separator: " ")
            return ServiceEndpoint(endpoint: Endpoint(host: host), signingRegion: region, source: kind)
        }
        let legacy = try legacyMode()
        if region == "aws-global" || (legacy && Self.legacyGlobalRegions.contains(region)) {
            return ServiceEndpoint(
                endpoint: Endpoint(host: "sts.amazonaws.com"), signingRegion: "us-east-1", source: "global")
        }
        return ServiceEndpoint(
            endpoint: Self.regionalEndpoint(for: region, in: partition), signingRegion: region, source: "regional")
    }

    /// The usual endpoint of `region`, with no switch or configured URL: `https://sts.REGION.SUFFIX/`
    /// (`partition`: the region's, when the caller has it already).
    public static func regionalEndpoint(for region: String, in partition: Partition? = nil) -> Endpoint {
        Endpoint(host: "sts.\(region).\((partition ?? Partition.of(region: region)).dnsSuffix)")
    }

    /// The EKS control-plane API endpoint for `region`: a configured URL (`AWS_ENDPOINT_URL_EKS`, …),
    /// else `eks[-fips].REGION.SUFFIX`, or the dual-stack `eks.REGION.DUALSTACK_SUFFIX`.
    /// - Throws: `ConfigError` for bad switches or URLs.
    public func resolveEKS(region: String) throws -> ServiceEndpoint {
        if let custom = try configuredEndpoint(service: "eks") {
            return ServiceEndpoint(endpoint: custom.endpoint, signingRegion: region, source: custom.source)
        }
        let partition = Partition.of(region: region)
        let fips = try flag(env: "AWS_USE_FIPS_ENDPOINT", key: "use_fips_endpoint")
        let dualStack = try flag(env: "AWS_USE_DUALSTACK_ENDPOINT", key: "use_dualstack_endpoint")
        let host =
            "\(fips ? "eks-fips" : "eks").\(region).\(dualStack ? partition.dualStackDNSSuffix : partition.dnsSuffix)"
        return ServiceEndpoint(endpoint: Endpoint(host: host), signingRegion: region, source: "regional")
    }

    /// A configured endpoint URL: `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the profile's
    /// `services` section, then its `endpoint_url`; none when `ignore_configured_endpoint_urls` is set.
    package func configuredEndpoint(service: String = "sts") throws -> (endpoint: Endpoint, source: String)? {
        if try flag(env: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", key: "ignore_configured_endpoint_urls") {
            return nil
        }
        let variable = "AWS_ENDPOINT_URL_\(service.uppercased())"
        var candidates: [(String?, String)] = [
            (environment[variable], variable),
            (environment["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"),
        ]
        if let profile {
            if let services = profile["services"],
                let section = config?.section(kind: "services", named: services),
                case .nested(let block) = section[service]
            {
                candidates.append((block["endpoint_url"], "[services \(services)] \(service) endpoint_url"))
            }
            candidates.append((profile["endpoint_url"], profile.describe("endpoint_url")))
        }
        for case (let url?, let source) in candidates where !url.isEmpty {
            guard let endpoint = Endpoint(url: url) else { throw ConfigError.invalidEndpoint(url, source: source) }
            return (endpoint, source)
        }
        return nil
    }

    func legacyMode() throws -> Bool {
        let (value, source) = setting(env: "AWS_STS_REGIONAL_ENDPOINTS", key: "sts_regional_endpoints")
        guard let value else { return false }
        switch value.lowercased() {
        case "legacy": return true
        case "regional": return false
        default:
            throw ConfigError.invalidSetting(
                name: "STS regional endpoints", value: value, source: source, expected: "'legacy' or 'regional'")
        }
    }

    func flag(env: String, key: String) throws -> Bool {
        let (value, source) = setting(env: env, key: key)
        guard let value else { return false }
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default:
            throw ConfigError.invalidSetting(name: key, value: value, source: source, expected: "'true' or 'false'")
        }
    }

    func setting(env: String, key: String) -> (String?, String) {
        let found = environment.setting(env, key: key, profile: profile)
        return (found?.value, found?.source ?? "")
    }
}
