import ArgumentParser

/// The AWS options shared by commands that call or sign for AWS.
struct AWSOptions: ParsableArguments {
    @Option(help: "AWS region of the STS endpoint (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1).")
    var region: String?

    @Option(help: "Profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, AWS_DEFAULT_PROFILE, default).")
    var profile: String?

    @Flag(name: .long, help: "Trace on stderr which profile, region, endpoint and credentials are used (never secrets).")
    var verbose = false
}
