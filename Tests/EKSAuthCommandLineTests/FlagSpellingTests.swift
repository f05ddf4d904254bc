import AWSConfiguration
import EKSAuthCommandLine
import EKSAuthCore
import Testing

@Suite("The command line words the fields the core names")
struct FlagSpellingTests {
    @Test(
        "role errors print as before, each field spelled as its flag",
        arguments: [
            (
                RoleRequestError.invalid(.roleARN, expected: RoleField.roleARNShape),
                "invalid --role-arn: expected arn:PARTITION:iam::ACCOUNT:role/NAME"
            ),
            (
                RoleRequestError.invalid(.durationSeconds, expected: "900 to 43200 seconds"),
                "invalid --duration-seconds: expected 900 to 43200 seconds"
            ),
            (
                RoleRequestError.requires(.tokenCode, .serialNumber),
                "invalid --token-code: expected --serial-number as well"
            ),
            (
                RoleRequestError.needsRole(.forwardSessionName),
                "invalid --forward-session-name: expected --role-arn (or DEFAULT_ROLE) as well"
            ),
            (
                RoleRequestError.conflict(.sessionName, .forwardSessionName),
                "--session-name and --forward-session-name cannot be used together"
            ),
            (RoleRequestError.invalidPromptedCode, "invalid MFA code: expected the 6 digits the MFA device shows"),
        ])
    func roleErrors(error: RoleRequestError, printed: String) {
        #expect(FlagSpelling.wording(of: error).message == printed)
    }

    @Test("the MFA hint names the --token-code flag")
    func mfaHint() {
        let hint = FlagSpelling.wording(of: RoleRequestError.mfaCodeNeeded(serial: "arn:aws:iam::1:mfa/a")).hint
        #expect(hint?.hasPrefix("pass --token-code, run the command once in a terminal") == true)
    }

    @Test("setup errors print as before")
    func setupErrors() {
        #expect(
            FlagSpelling.wording(of: SetupError.invalid(.account, expected: "a 12-digit account id")).message
                == "invalid --account: expected a 12-digit account id")
        #expect(
            FlagSpelling.wording(of: SetupError.requires(.accessEntry, .apply)).message
                == "invalid --access-entry: expected --apply as well")
    }

    @Test("a missing cluster name names the flags that give it")
    func missingCluster() {
        #expect(
            FlagSpelling.wording(of: ConfigError.invalidClusterID("")).message
                == "no cluster name: pass --cluster-name NAME (or -i / --cluster-id)")
    }

    @Test("other errors keep their own wording")
    func otherErrors() {
        let error = ConfigError.invalidRegion("x", source: .environment("AWS_REGION"))
        #expect(FlagSpelling.wording(of: error).message == error.message)
    }

    @Test("the configuration layer's wording of a flag source is the flag table's spelling")
    func settingSources() {
        for field in SettingField.allCases {
            #expect(SettingSource.flag(field).description == FlagSpelling.flag(for: field))
        }
        #expect(SettingSource.profileKey(profile: "dev", key: "region").description == "region in profile 'dev'")
    }

    @Test("every role field is spelled as a token flag that takes it")
    func roleFields() {
        for field in RoleField.allCases {
            let flag = TokenFlag.named(FlagSpelling.flag(for: field))
            #expect(flag != nil, "\(field)")
        }
    }

    @Test(
        "the exec args the kubeconfig writer puts in kubeconfig are read back by the fast scanner and ArgumentParser")
    func kubeconfigExecArguments() throws {
        let arn = "arn:aws:iam::111122223333:role/dev"
        let written = PluginCommandLine.tokenArguments(
            clusterName: "prod", outpostsID: nil, region: "eu-west-1", roleARN: arn, profile: "dev")
        #expect(written.first == "token")
        let expected = TokenInvocation(
            clusterName: "prod", credentials: CredentialInvocation(region: "eu-west-1", profile: "dev", roleARN: arn))
        #expect(TokenInvocation.scan(written.dropFirst()) == expected)
        #expect(try TokenOptions.parse(Array(written.dropFirst())).invocation == expected)
        let outposts = PluginCommandLine.tokenArguments(
            clusterName: "prod", outpostsID: "op-1", region: "us-west-2", roleARN: nil, profile: nil)
        #expect(
            TokenInvocation.scan(outposts.dropFirst())
                == TokenInvocation(clusterName: "op-1", credentials: CredentialInvocation(region: "us-west-2")))
    }
}
