/// The plugin's own `token` command line, as a kubeconfig exec block runs it.
///
/// The kubeconfig writer is the one part of the core that knows the plugin's flag spellings, on
/// purpose: what it writes is the command kubectl will run, not a message. The executable's flag
/// table (`TokenFlag`) is the other copy; a test there checks that its start-up scanner reads these
/// arguments back as the invocation meant.
public enum PluginCommandLine {
    /// The arguments after the program name: `token`, the cluster (`--cluster-id` for an Outposts
    /// cluster's id, else `--cluster-name`), `--region` (left out when nil: the token then takes the
    /// region as the AWS CLI would, from the environment or profile), and `--role-arn` and `--profile`
    /// when given.
    public static func tokenArguments(
        clusterName: String, outpostsID: String?, region: String?, roleARN: String?, profile: String?
    ) -> [String] {
        var args = ["token"]
        args += outpostsID.map { ["--cluster-id", $0] } ?? ["--cluster-name", clusterName]
        if let region { args += ["--region", region] }
        if let roleARN { args += ["--role-arn", roleARN] }
        if let profile { args += ["--profile", profile] }
        return args
    }
}
