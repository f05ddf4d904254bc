import EKSAuthCommandLine
import Testing

@Suite("ForeignArguments")
struct ForeignArgumentsTests {
    @Test(
        "rewrites what aws eks update-kubeconfig writes into a token command",
        arguments: [
            (
                ["--region", "us-west-2", "eks", "get-token", "--cluster-name", "prod", "--output", "json"],
                ["token", "--cluster-name", "prod", "--output", "json", "--region", "us-west-2"]
            ),
            (
                ["eks", "get-token", "--cluster-name", "prod"],
                ["token", "--cluster-name", "prod"]
            ),
            (
                ["--region", "eu-west-1", "--profile", "dev", "eks", "get-token", "--cluster-name", "prod"],
                ["token", "--cluster-name", "prod", "--region", "eu-west-1", "--profile", "dev"]
            ),
            (
                [
                    "--region=eu-west-1", "--output", "json", "eks", "get-token", "--cluster-name", "prod",
                    "--role-arn", "arn:aws:iam::1:role/x",
                ],
                [
                    "token", "--cluster-name", "prod", "--role-arn", "arn:aws:iam::1:role/x", "--region=eu-west-1",
                    "--output", "json",
                ]
            ),
            (
                ["eks", "get-token", "--cluster-name", "prod", "--region", "us-east-2"],
                ["token", "--cluster-name", "prod", "--region", "us-east-2"]
            ),
        ])
    func awsCLIArguments(arguments: [String], expected: [String]) {
        #expect(ForeignArguments.normalize(arguments) == expected)
    }

    @Test(
        "leaves our own and aws-iam-authenticator's arguments alone",
        arguments: [
            ["token", "-i", "prod", "-r", "arn:aws:iam::123456789012:role/dev"],
            ["token", "--cluster-name", "prod", "--region", "us-west-2"],
            ["get-token", "--cluster-name", "prod"],
            ["--version"],
            ["--help"],
            [],
            ["eks"],
            ["--region", "us-west-2"],
            ["--region", "us-west-2", "eks", "update-kubeconfig", "--name", "prod"],
            ["--region", "us-west-2", "sts", "get-caller-identity"],
            ["cache", "list"],
        ])
    func unchanged(arguments: [String]) {
        #expect(ForeignArguments.normalize(arguments) == arguments)
    }
}
