import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// Shared config files for the settings suites.
private enum SettingsFiles {
    static let home = "/home/u"
    static let configPath = "/home/u/.aws/config"
    static let credentialsPath = "/home/u/.aws/credentials"

    static let config = """
        [default]
        region = us-west-2

        [profile dev]
        region = eu-west-1

        [profile flagged]
        region = ap-south-1

        [profile envonly]
        region = sa-east-1

        [profile noregion]
        output = json
        """

    static func fileSystem(config: String = config, credentials: String = "") -> InMemoryFileSystem {
        InMemoryFileSystem([configPath: config, credentialsPath: credentials])
    }

    static func resolve(
        profile: String? = nil, region: String? = nil, environment: [String: String] = [:],
        config: String = config
    ) throws -> AWSSettings {
        var variables = environment
        variables["HOME"] = home
        return try AWSSettings.resolve(
            profileFlag: profile, regionFlag: region, environment: Environment(variables),
            fileSystem: fileSystem(config: config))
    }
}

@Suite("AWSSettings: profile and region")
struct AWSSettingsTests {
    struct ProfileCase: Sendable, CustomTestStringConvertible {
        var flag: String?
        var environment: [String: String]
        var name: String
        var origin: SettingSource
        var testDescription: String { "\(origin) selects '\(name)'" }
    }

    @Test(
        "selects the profile from --profile, then AWS_PROFILE, then AWS_DEFAULT_PROFILE, then default",
        arguments: [
            ProfileCase(
                flag: "flagged", environment: ["AWS_PROFILE": "dev", "AWS_DEFAULT_PROFILE": "envonly"],
                name: "flagged", origin: .flag(.profile)),
            ProfileCase(
                flag: nil, environment: ["AWS_PROFILE": "dev", "AWS_DEFAULT_PROFILE": "envonly"], name: "dev",
                origin: .environment("AWS_PROFILE")),
            ProfileCase(
                flag: nil, environment: ["AWS_DEFAULT_PROFILE": "envonly"], name: "envonly",
                origin: .environment("AWS_DEFAULT_PROFILE")),
            ProfileCase(flag: nil, environment: [:], name: "default", origin: .default),
            ProfileCase(
                flag: "", environment: ["AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "envonly"], name: "envonly",
                origin: .environment("AWS_DEFAULT_PROFILE")),
        ])
    func profileSelection(_ c: ProfileCase) throws {
        let settings = try SettingsFiles.resolve(profile: c.flag, environment: c.environment)
        #expect(settings.selection == ProfileSelection(name: c.name, origin: c.origin))
        #expect(settings.profile?.name == c.name)
    }

    @Test("says whether the selection was explicit and whether it came from the flag")
    func selectionFlags() {
        #expect(ProfileSelection(name: "default", origin: .default).isExplicit == false)
        #expect(ProfileSelection(name: "dev", origin: .environment("AWS_PROFILE")).isExplicit)
        #expect(ProfileSelection(name: "dev", origin: .environment("AWS_PROFILE")).isFromFlag == false)
        #expect(ProfileSelection(name: "dev", origin: .flag(.profile)).isFromFlag)
        #expect(ProfileSelection(name: "dev", origin: .flag(.profile)).selectedBy == "--profile")
    }

    @Test(
        "refuses a named profile that is in neither file, saying what named it",
        arguments: [
            ("--profile", "missing", [String: String]()),
            ("AWS_PROFILE", nil, ["AWS_PROFILE": "missing"]),
            ("AWS_DEFAULT_PROFILE", nil, ["AWS_DEFAULT_PROFILE": "missing"]),
        ] as [(String, String?, [String: String])])
    func namedProfileMissing(selectedBy: String, flag: String?, environment: [String: String]) throws {
        let expected = ConfigError.profileNotFound(
            profile: "missing", selectedBy: selectedBy,
            files: [SettingsFiles.configPath, SettingsFiles.credentialsPath])
        #expect(throws: expected) { try SettingsFiles.resolve(profile: flag, environment: environment) }
        #expect(expected.kind == .configuration)
        #expect(expected.message.contains("'missing'"))
        #expect(expected.message.contains(selectedBy))
    }

    @Test("accepts a missing default profile")
    func defaultProfileMissing() throws {
        let settings = try SettingsFiles.resolve(config: "")
        #expect(settings.selection.name == "default")
        #expect(settings.profile == nil)
        #expect(settings.region == "us-east-1")
    }

    struct RegionCase: Sendable, CustomTestStringConvertible {
        var flag: String?
        var environment: [String: String]
        var region: String
        var source: String
        var testDescription: String { "\(source) gives \(region)" }
    }

    @Test(
        "takes the region from --region, AWS_REGION, AWS_DEFAULT_REGION, the profile, then us-east-1",
        arguments: [
            RegionCase(
                flag: "ca-central-1",
                environment: ["AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "eu-west-3", "AWS_PROFILE": "dev"],
                region: "ca-central-1", source: "--region"),
            RegionCase(
                flag: nil,
                environment: ["AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "eu-west-3", "AWS_PROFILE": "dev"],
                region: "eu-north-1", source: "AWS_REGION"),
            RegionCase(
                flag: nil, environment: ["AWS_DEFAULT_REGION": "eu-west-3", "AWS_PROFILE": "dev"],
                region: "eu-west-3", source: "AWS_DEFAULT_REGION"),
            RegionCase(
                flag: nil, environment: ["AWS_PROFILE": "dev"], region: "eu-west-1",
                source: "region in profile 'dev'"),
            RegionCase(flag: nil, environment: [:], region: "us-west-2", source: "region in profile 'default'"),
            RegionCase(
                flag: nil, environment: ["AWS_PROFILE": "noregion"], region: "us-east-1", source: "default"),
            RegionCase(
                flag: "", environment: ["AWS_REGION": "", "AWS_DEFAULT_REGION": "me-south-1"], region: "me-south-1",
                source: "AWS_DEFAULT_REGION"),
            RegionCase(flag: " us-east-2 ", environment: [:], region: "us-east-2", source: "--region"),
        ])
    func regionOrder(_ c: RegionCase) throws {
        let settings = try SettingsFiles.resolve(region: c.flag, environment: c.environment)
        #expect(settings.region == c.region)
        #expect(settings.regionSource == c.source)
    }

    @Test("falls back to us-east-1 when no file and no variable names a region")
    func regionFallback() throws {
        let settings = try SettingsFiles.resolve(config: "")
        #expect(settings.region == Region.fallback)
        #expect(settings.regionOrigin == .default)
        #expect(settings.regionSource == "default")
        #expect(settings.stsEndpoint.endpoint.host == "sts.us-east-1.amazonaws.com")
    }

    @Test(
        "refuses a region that is not a DNS label, naming where it came from",
        arguments: [
            "US_WEST", "us west 2", "-x", "us-west-2-", "US-WEST-2", "us-west-2.evil.com", "us-west-2/x", "ü-west-1",
        ])
    func invalidRegion(region: String) throws {
        #expect(throws: ConfigError.invalidRegion(region, source: .flag(.region))) {
            try SettingsFiles.resolve(region: region)
        }
        #expect(throws: ConfigError.invalidRegion(region, source: .environment("AWS_REGION"))) {
            try SettingsFiles.resolve(environment: ["AWS_REGION": region])
        }
        #expect(ConfigError.invalidRegion(region, source: .flag(.region)).kind == .usage)
    }

    @Test("refuses an invalid region in the profile")
    func invalidProfileRegion() throws {
        #expect(
            throws: ConfigError.invalidRegion(
                "Oregon", source: .profileKey(profile: "default", key: "region", location: "/home/u/.aws/config:2"))
        ) {
            try SettingsFiles.resolve(config: "[default]\nregion = Oregon\n")
        }
    }

    @Test("refuses a well-formed region STS has no endpoint in, naming its source and the nearest name")
    func unknownRegion() throws {
        #expect(throws: ConfigError.unknownRegion("eu-wset-1", source: .flag(.region), suggestion: "eu-west-1")) {
            try SettingsFiles.resolve(region: "eu-wset-1")
        }
        #expect(
            throws: ConfigError.unknownRegion("us-est-1", source: .environment("AWS_REGION"), suggestion: "us-east-1")
        ) { try SettingsFiles.resolve(environment: ["AWS_REGION": "us-est-1"]) }
        #expect(
            throws: ConfigError.unknownRegion(
                "us-west-3", source: .environment("AWS_DEFAULT_REGION"), suggestion: "us-west-1")
        ) { try SettingsFiles.resolve(environment: ["AWS_DEFAULT_REGION": "us-west-3"]) }
        #expect(
            throws: ConfigError.unknownRegion(
                "mars-north-1", source: .profileKey(profile: "x", key: "region", location: "/home/u/.aws/config:2"),
                suggestion: nil)
        ) { try SettingsFiles.resolve(profile: "x", config: "[profile x]\nregion = mars-north-1\n") }
        let error = ConfigError.unknownRegion("eu-wset-1", source: .flag(.region), suggestion: "eu-west-1")
        #expect(error.message == "unknown region 'eu-wset-1' (from --region): did you mean 'eu-west-1'?")
        #expect(error.hint?.contains(Partition.dataSource) == true)
        #expect(error.kind == .usage)
        let far = ConfigError.unknownRegion("mars-north-1", source: .environment("AWS_REGION"), suggestion: nil)
        #expect(far.message == "unknown region 'mars-north-1' (from AWS_REGION): STS has no endpoint there")
    }

    @Test("a custom STS endpoint takes any well-formed region: its host does not come from the region")
    func unknownRegionWithCustomEndpoint() throws {
        let settings = try SettingsFiles.resolve(
            region: "local", environment: ["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566"])
        #expect(settings.region == "local")
        #expect(settings.stsEndpoint.signingRegion == "local")
        let byProfile = try SettingsFiles.resolve(
            profile: "x", config: "[profile x]\nregion = my-lab-1\nendpoint_url = http://localhost:5000\n")
        #expect(byProfile.region == "my-lab-1")
        #expect(throws: ConfigError.invalidRegion("Bad Region", source: .flag(.region))) {
            try SettingsFiles.resolve(
                region: "Bad Region", environment: ["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566"])
        }
    }

    @Test("aws-global and the us-east-1 fallback keep working; an instance-metadata region is trusted")
    func pseudoRegionsAndMetadata() throws {
        let global = try SettingsFiles.resolve(region: "aws-global")
        #expect(global.stsEndpoint.endpoint.host == "sts.amazonaws.com")
        let fallback = try SettingsFiles.resolve(profile: "noregion")
        #expect(fallback.region == "us-east-1")
        let moved = try fallback.inRegion("xx-newregion-1", origin: .instanceMetadata, environment: Environment([:]))
        #expect(moved.stsEndpoint.endpoint.host == "sts.xx-newregion-1.amazonaws.com")
        #expect(throws: ConfigError.unknownRegion("eu-wset-1", source: .flag(.region), suggestion: "eu-west-1")) {
            try fallback.inRegion("eu-wset-1", origin: .flag(.region), environment: Environment([:]))
        }
    }

    @Test(
        "accepts region names as DNS labels", arguments: ["us-east-1", "aws-global", "eusc-de-east-1", "local", "a1"])
    func validRegions(region: String) {
        #expect(Region.isValid(region))
    }
}

@Suite("STSEndpointResolver")
struct STSEndpointResolverTests {
    /// The endpoint for `region` with `environment` and an optional profile holding `profileKeys`.
    func endpoint(
        _ region: String, environment: [String: String] = [:], profileKeys: [String: String]? = nil,
        config: SharedConfig? = nil
    ) throws -> ServiceEndpoint {
        let profile = profileKeys.map { keys in
            Profile(name: "dev", values: keys.mapValues { INIFile.Value.string($0) })
        }
        return try STSEndpointResolver(environment: Environment(environment), profile: profile, config: config)
            .resolve(region: region)
    }

    @Test(
        "uses the regional endpoint of the region's partition by default",
        arguments: [
            ("us-east-1", "sts.us-east-1.amazonaws.com"),
            ("us-west-2", "sts.us-west-2.amazonaws.com"),
            ("ap-southeast-7", "sts.ap-southeast-7.amazonaws.com"),
            ("mx-central-1", "sts.mx-central-1.amazonaws.com"),
            ("il-central-1", "sts.il-central-1.amazonaws.com"),
            ("cn-north-1", "sts.cn-north-1.amazonaws.com.cn"),
            ("cn-northwest-1", "sts.cn-northwest-1.amazonaws.com.cn"),
            ("us-gov-west-1", "sts.us-gov-west-1.amazonaws.com"),
            ("us-gov-east-1", "sts.us-gov-east-1.amazonaws.com"),
            ("us-iso-east-1", "sts.us-iso-east-1.c2s.ic.gov"),
            ("us-isob-east-1", "sts.us-isob-east-1.sc2s.sgov.gov"),
            ("eu-isoe-west-1", "sts.eu-isoe-west-1.cloud.adc-e.uk"),
            ("us-isof-south-1", "sts.us-isof-south-1.csp.hci.ic.gov"),
            ("eusc-de-east-1", "sts.eusc-de-east-1.amazonaws.eu"),
            ("xx-nowhere-9", "sts.xx-nowhere-9.amazonaws.com"),
        ])
    func regional(region: String, host: String) throws {
        let sts = try endpoint(region)
        #expect(sts.endpoint == Endpoint(host: host))
        #expect(sts.endpoint.description == "https://\(host)/")
        #expect(sts.signingRegion == region)
        #expect(sts.source == "regional")
    }

    @Test(
        "finds each region's partition",
        arguments: [
            ("us-east-1", "aws"), ("aws-global", "aws"), ("cn-north-1", "aws-cn"), ("aws-cn-global", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"), ("us-iso-east-1", "aws-iso"), ("us-isob-east-1", "aws-iso-b"),
            ("eu-isoe-west-1", "aws-iso-e"), ("us-isof-south-1", "aws-iso-f"), ("eusc-de-east-1", "aws-eusc"),
            ("local", "aws"),
        ])
    func partitions(region: String, partition: String) {
        #expect(Partition.of(region: region).id == partition)
    }

    @Test("sends aws-global to the global endpoint signed for us-east-1")
    func awsGlobal() throws {
        let sts = try endpoint("aws-global")
        #expect(sts.endpoint == Endpoint(host: "sts.amazonaws.com"))
        #expect(sts.signingRegion == "us-east-1")
        #expect(sts.source == "global")
        let settings = try SettingsFiles.resolve(region: "aws-global")
        #expect(settings.stsEndpoint.endpoint.host == "sts.amazonaws.com")
        #expect(settings.stsEndpoint.signingRegion == "us-east-1")
    }

    @Test("uses the global endpoint in legacy mode for every region of the legacy list")
    func legacyGlobalRegions() throws {
        #expect(STSEndpointResolver.legacyGlobalRegions.count == 16)
        for region in STSEndpointResolver.legacyGlobalRegions {
            let fromEnv = try endpoint(region, environment: ["AWS_STS_REGIONAL_ENDPOINTS": "legacy"])
            #expect(fromEnv.endpoint.host == "sts.amazonaws.com", "\(region)")
            #expect(fromEnv.signingRegion == "us-east-1", "\(region)")
            let fromProfile = try endpoint(region, profileKeys: ["sts_regional_endpoints": "legacy"])
            #expect(fromProfile.endpoint.host == "sts.amazonaws.com", "\(region)")
            #expect(fromProfile.signingRegion == "us-east-1", "\(region)")
        }
    }

    @Test(
        "stays regional in legacy mode for regions outside the legacy list",
        arguments: [
            ("ap-east-1", "sts.ap-east-1.amazonaws.com"), ("eu-south-1", "sts.eu-south-1.amazonaws.com"),
            ("me-south-1", "sts.me-south-1.amazonaws.com"), ("cn-north-1", "sts.cn-north-1.amazonaws.com.cn"),
            ("us-gov-west-1", "sts.us-gov-west-1.amazonaws.com"), ("us-iso-east-1", "sts.us-iso-east-1.c2s.ic.gov"),
        ])
    func legacyOutsideList(region: String, host: String) throws {
        let sts = try endpoint(region, environment: ["AWS_STS_REGIONAL_ENDPOINTS": "legacy"])
        #expect(sts.endpoint.host == host)
        #expect(sts.signingRegion == region)
    }

    @Test("lets AWS_STS_REGIONAL_ENDPOINTS override the profile's sts_regional_endpoints, in any case")
    func regionalOverridesProfile() throws {
        let regional = try endpoint(
            "us-west-2", environment: ["AWS_STS_REGIONAL_ENDPOINTS": "regional"],
            profileKeys: ["sts_regional_endpoints": "legacy"])
        #expect(regional.endpoint.host == "sts.us-west-2.amazonaws.com")
        let legacy = try endpoint(
            "us-west-2", environment: ["AWS_STS_REGIONAL_ENDPOINTS": "LEGACY"],
            profileKeys: ["sts_regional_endpoints": "regional"])
        #expect(legacy.endpoint.host == "sts.amazonaws.com")
    }

    @Test("reads sts_regional_endpoints from the selected profile of the files")
    func legacyThroughSettings() throws {
        let settings = try SettingsFiles.resolve(
            config: "[default]\nregion = eu-west-1\nsts_regional_endpoints = legacy\n")
        #expect(settings.stsEndpoint.endpoint.host == "sts.amazonaws.com")
        #expect(settings.stsEndpoint.signingRegion == "us-east-1")
    }

    @Test(
        "builds FIPS, dual-stack and FIPS dual-stack hosts per partition",
        arguments: [
            ("us-east-1", true, false, "sts-fips.us-east-1.amazonaws.com"),
            ("us-west-2", true, false, "sts-fips.us-west-2.amazonaws.com"),
            ("us-gov-west-1", true, false, "sts.us-gov-west-1.amazonaws.com"),
            ("us-gov-east-1", true, false, "sts.us-gov-east-1.amazonaws.com"),
            ("cn-north-1", true, false, "sts-fips.cn-north-1.amazonaws.com.cn"),
            ("us-iso-east-1", true, false, "sts-fips.us-iso-east-1.c2s.ic.gov"),
            ("us-east-1", false, true, "sts.us-east-1.api.aws"),
            ("cn-north-1", false, true, "sts.cn-north-1.api.amazonwebservices.com.cn"),
            ("us-gov-west-1", false, true, "sts.us-gov-west-1.api.aws"),
            ("eusc-de-east-1", false, true, "sts.eusc-de-east-1.api.amazonwebservices.eu"),
            ("us-east-1", true, true, "sts-fips.us-east-1.api.aws"),
            ("us-gov-west-1", true, true, "sts-fips.us-gov-west-1.api.aws"),
            ("cn-north-1", true, true, "sts-fips.cn-north-1.api.amazonwebservices.com.cn"),
        ])
    func fipsAndDualStack(region: String, fips: Bool, dualStack: Bool, host: String) throws {
        let environment = [
            "AWS_USE_FIPS_ENDPOINT": fips ? "true" : "false",
            "AWS_USE_DUALSTACK_ENDPOINT": dualStack ? "true" : "false",
        ]
        let fromEnv = try endpoint(region, environment: environment)
        #expect(fromEnv.endpoint.host == host)
        #expect(fromEnv.signingRegion == region)
        let keys = [
            "use_fips_endpoint": fips ? "true" : "false", "use_dualstack_endpoint": dualStack ? "true" : "false",
        ]
        let fromProfile = try endpoint(region, profileKeys: keys)
        #expect(fromProfile.endpoint.host == host)
    }

    @Test("prefers FIPS and dual-stack over the legacy global endpoint")
    func fipsBeatsLegacy() throws {
        let sts = try endpoint(
            "us-east-1", environment: ["AWS_STS_REGIONAL_ENDPOINTS": "legacy", "AWS_USE_FIPS_ENDPOINT": "TRUE"])
        #expect(sts.endpoint.host == "sts-fips.us-east-1.amazonaws.com")
        #expect(sts.signingRegion == "us-east-1")
        #expect(sts.source == "FIPS")
        let both = try endpoint(
            "us-east-1", environment: ["AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "true"])
        #expect(both.source == "FIPS dual-stack")
    }

    @Test("lets the environment's switch override the profile's")
    func environmentSwitchWins() throws {
        let sts = try endpoint(
            "us-east-1", environment: ["AWS_USE_FIPS_ENDPOINT": "false"], profileKeys: ["use_fips_endpoint": "true"])
        #expect(sts.endpoint.host == "sts.us-east-1.amazonaws.com")
    }

    @Test(
        "refuses a switch that is not true or false, naming the variable",
        arguments: ["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"])
    func invalidBooleanVariable(variable: String) throws {
        let key = [
            "AWS_USE_FIPS_ENDPOINT": "use_fips_endpoint", "AWS_USE_DUALSTACK_ENDPOINT": "use_dualstack_endpoint",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "ignore_configured_endpoint_urls",
        ][variable]!
        let expected = ConfigError.invalidSetting(
            name: key, value: "yes", source: variable, expected: "'true' or 'false'")
        #expect(throws: expected) { try endpoint("us-east-1", environment: [variable: "yes"]) }
        #expect(expected.kind == .usage)
    }

    @Test("refuses an invalid switch in the profile, naming the profile")
    func invalidBooleanInProfile() throws {
        #expect(
            throws: ConfigError.invalidSetting(
                name: "use_dualstack_endpoint", value: "1", source: "use_dualstack_endpoint in profile 'dev'",
                expected: "'true' or 'false'")
        ) { try endpoint("us-east-1", profileKeys: ["use_dualstack_endpoint": "1"]) }
    }

    @Test("refuses an STS regional endpoints mode other than legacy or regional")
    func invalidLegacyMode() throws {
        #expect(
            throws: ConfigError.invalidSetting(
                name: "STS regional endpoints", value: "global", source: "AWS_STS_REGIONAL_ENDPOINTS",
                expected: "'legacy' or 'regional'")
        ) { try endpoint("us-east-1", environment: ["AWS_STS_REGIONAL_ENDPOINTS": "global"]) }
        #expect(
            throws: ConfigError.invalidSetting(
                name: "STS regional endpoints", value: "sometimes",
                source: "sts_regional_endpoints in profile 'dev'", expected: "'legacy' or 'regional'")
        ) { try endpoint("us-east-1", profileKeys: ["sts_regional_endpoints": "sometimes"]) }
    }

    @Test("uses AWS_ENDPOINT_URL_STS as given, signed for the client region")
    func endpointURLSTS() throws {
        let sts = try endpoint(
            "eu-west-1",
            environment: [
                "AWS_ENDPOINT_URL_STS": "http://localhost:4566", "AWS_ENDPOINT_URL": "https://other.example.com",
                "AWS_STS_REGIONAL_ENDPOINTS": "legacy",
            ])
        #expect(sts.endpoint == Endpoint(scheme: "http", host: "localhost", port: 4566, path: "/"))
        #expect(sts.signingRegion == "eu-west-1")
        #expect(sts.source == "AWS_ENDPOINT_URL_STS")
    }

    @Test("falls back to AWS_ENDPOINT_URL")
    func endpointURLGeneric() throws {
        let sts = try endpoint("us-west-2", environment: ["AWS_ENDPOINT_URL": "https://STS.Proxy.example.com/base"])
        #expect(sts.endpoint == Endpoint(scheme: "https", host: "sts.proxy.example.com", path: "/base"))
        #expect(sts.signingRegion == "us-west-2")
        #expect(sts.source == "AWS_ENDPOINT_URL")
    }

    /// A config whose `dev` profile names an endpoint URL and, when `withServices`, a services section.
    static func endpointConfig(withServices: Bool) -> String {
        """
        [profile dev]
        region = eu-central-1
        \(withServices ? "services = local" : "")
        endpoint_url = https://profile.example.com

        [services local]
        sts =
          endpoint_url = http://127.0.0.1:5000
        eks =
          endpoint_url = http://127.0.0.1:6000
        """
    }

    @Test("reads the profile's services section before its endpoint_url, and the environment before both")
    func endpointURLFromFiles() throws {
        let config = Self.endpointConfig(withServices: true)
        let fromServices = try SettingsFiles.resolve(profile: "dev", config: config)
        #expect(fromServices.stsEndpoint.endpoint == Endpoint(scheme: "http", host: "127.0.0.1", port: 5000))
        #expect(fromServices.stsEndpoint.signingRegion == "eu-central-1")
        #expect(fromServices.stsEndpoint.source == "[services local] sts endpoint_url")

        let fromEnv = try SettingsFiles.resolve(
            profile: "dev", environment: ["AWS_ENDPOINT_URL": "https://env.example.com"], config: config)
        #expect(fromEnv.stsEndpoint.endpoint.host == "env.example.com")

        let fromProfile = try SettingsFiles.resolve(profile: "dev", config: Self.endpointConfig(withServices: false))
        #expect(fromProfile.stsEndpoint.endpoint == Endpoint(host: "profile.example.com"))
        #expect(fromProfile.stsEndpoint.source == "endpoint_url in profile 'dev' (/home/u/.aws/config:4)")
        #expect(fromProfile.stsEndpoint.signingRegion == "eu-central-1")
    }

    @Test("uses the profile's endpoint_url when its services section has no sts block")
    func servicesWithoutSTS() throws {
        let config = """
            [profile dev]
            services = local
            endpoint_url = https://profile.example.com
            [services local]
            eks =
              endpoint_url = http://127.0.0.1:6000
            """
        let settings = try SettingsFiles.resolve(profile: "dev", config: config)
        #expect(settings.stsEndpoint.endpoint.host == "profile.example.com")
    }

    @Test("ignores every configured endpoint URL when told to, by variable or profile key")
    func ignoreConfiguredEndpoints() throws {
        let urls = ["AWS_ENDPOINT_URL_STS": "http://localhost:4566", "AWS_ENDPOINT_URL": "http://localhost:4567"]
        let byVariable = try endpoint(
            "us-west-2", environment: urls.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]) { a, _ in a },
            profileKeys: ["endpoint_url": "http://localhost:4568"])
        #expect(byVariable.endpoint.host == "sts.us-west-2.amazonaws.com")
        #expect(byVariable.source == "regional")
        let byProfile = try endpoint(
            "us-west-2", environment: urls,
            profileKeys: ["ignore_configured_endpoint_urls": "true", "endpoint_url": "http://localhost:4568"])
        #expect(byProfile.endpoint.host == "sts.us-west-2.amazonaws.com")
        let notIgnored = try endpoint(
            "us-west-2", environment: urls.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"]) { a, _ in a })
        #expect(notIgnored.endpoint.host == "localhost")
    }

    @Test(
        "refuses an endpoint URL it cannot use, naming where it came from",
        arguments: [
            "localhost:4566", "ftp://sts.example.com", "https://", "https://user@sts.example.com",
            "https://sts.example.com/?x=1", "https://sts.example.com/#frag", "https://sts.example.com:0",
            "https://sts.example.com:99999", "https://sts.example.com:port", "https://sts example.com",
        ])
    func invalidEndpointURL(url: String) throws {
        #expect(throws: ConfigError.invalidEndpoint(url, source: "AWS_ENDPOINT_URL_STS")) {
            try endpoint("us-east-1", environment: ["AWS_ENDPOINT_URL_STS": url])
        }
        #expect(throws: ConfigError.invalidEndpoint(url, source: "endpoint_url in profile 'dev'")) {
            try endpoint("us-east-1", profileKeys: ["endpoint_url": url])
        }
        #expect(ConfigError.invalidEndpoint(url, source: "x").kind == .usage)
    }

    @Test(
        "parses endpoint URLs into scheme, host, port and path",
        arguments: [
            ("https://sts.example.com", Endpoint(host: "sts.example.com"), "https://sts.example.com/"),
            (
                "http://localhost:4566/", Endpoint(scheme: "http", host: "localhost", port: 4566),
                "http://localhost:4566/"
            ),
            (
                "https://sts.example.com:443/x", Endpoint(host: "sts.example.com", port: 443, path: "/x"),
                "https://sts.example.com/x"
            ),
            ("HTTPS://[::1]:8443", Endpoint(host: "[::1]", port: 8443), "https://[::1]:8443/"),
        ])
    func endpointParsing(url: String, expected: Endpoint, description: String) throws {
        let parsed = try #require(Endpoint(url: url))
        #expect(parsed == expected)
        #expect(parsed.description == description)
    }
}
