import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore

struct KubeconfigConvert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract:
            "Rewrite kubeconfig users that run 'aws eks get-token' or 'aws-iam-authenticator token' to run eks-auth.",
        discussion: """
            Only each exec block's command and args change (cluster, role, region and profile are kept; env, \
            interactiveMode, provideClusterInfo and every other line too). Users it cannot convert exactly \
            (unknown flags, wrappers) are left alone and listed on stderr with why. The previous file is kept \
            as FILE.eks-auth-convert.bak; --restore puts it back, unless the file changed since. Converts \
            every KUBECONFIG file, or only --kubeconfig. Running it again changes nothing.

            EXAMPLES:
              eks-auth kubeconfig convert --dry-run
              eks-auth kubeconfig convert --user dev-admin --kubeconfig ~/.kube/work
              eks-auth kubeconfig convert --restore
            """)

    @OptionGroup var file: KubeconfigFileOptions

    @Option(help: "Convert only this user (repeat for more).", completion: ShellCompletion.userNames)
    var user: [String] = []

    @Flag(help: "Put back the file convert replaced (FILE.eks-auth-convert.bak).")
    var restore = false

    @OptionGroup var log: LogOptions

    // `kubeconfig`'s other flags: ArgumentParser takes a parent's options after the subcommand's name too,
    // so they are read here only to be refused rather than ignored.
    @OptionGroup(visibility: .private) var cluster: KubeconfigClusterOptions
    @OptionGroup(visibility: .private) var scan: KubeconfigAllOptions

    func validate() throws {
        if let flag = (cluster.given + scan.given).first {
            throw ValidationError("\(flag) does not go with 'kubeconfig convert'")
        }
        if restore, file.dryRun || !user.isEmpty {
            throw ValidationError("--restore takes neither --dry-run nor --user")
        }
    }

    func run() throws {
        let live = LiveSystem(verbose: false)
        defer { live.shutdown() }
        let result = try KubeconfigConvertService(system: live.context).run(
            KubeconfigConvertRequest(
                kubeconfigPath: file.kubeconfig, users: user, dryRun: file.dryRun, restore: restore))
        for note in result.notes { live.context.warn(note) }
        let text = file.dryRun ? result.diff : result.summary
        if !text.isEmpty { live.writeStdout(text.hasSuffix("\n") ? String(text.dropLast()) : text) }
    }
}
