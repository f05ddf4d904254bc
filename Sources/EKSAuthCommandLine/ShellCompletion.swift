import ArgumentParser
import EKSAuthCore
import Synchronization

/// The dynamic completions of the flag declarations (`completion: ShellCompletion.profiles`): what a
/// shell offers on TAB for a flag's value, asked of the program itself (`eks-auth ---completion …`,
/// which the scripts of `--generate-completion-script` call).
///
/// The closures need the real environment and disk, which only the executable reaches: it installs
/// the live `CompletionCandidates` before ArgumentParser answers a completion request. Until then
/// (and in tests that never install one) every closure offers nothing.
package enum ShellCompletion {
    private static let installed = Mutex<CompletionCandidates?>(nil)

    /// Makes `candidates` the source of every dynamic completion.
    package static func install(_ candidates: CompletionCandidates) {
        installed.withLock { $0 = candidates }
    }

    /// The installed source, if any.
    static var candidates: CompletionCandidates? { installed.withLock { $0 } }

    /// Profile names of the shared config and credentials files (`--profile`).
    package static let profiles = CompletionKind.custom { _, _, _ in candidates?.profiles() ?? [] }

    /// EKS cluster names of the kubeconfig (`--cluster-name`): of the command line's `--kubeconfig`, else
    /// KUBECONFIG's files, else `~/.kube/config`.
    package static let clusterNames = CompletionKind.custom { words, _, _ in
        candidates?.clusterNames(kubeconfig: CompletionCandidates.kubeconfigFlag(in: words)) ?? []
    }

    /// Context names of the kubeconfig (`kubeconfig --alias`).
    package static let contextNames = CompletionKind.custom { words, _, _ in
        candidates?.contextNames(kubeconfig: CompletionCandidates.kubeconfigFlag(in: words)) ?? []
    }

    /// User entry names of the kubeconfig (`kubeconfig --user-alias`).
    package static let userNames = CompletionKind.custom { words, _, _ in
        candidates?.userNames(kubeconfig: CompletionCandidates.kubeconfigFlag(in: words)) ?? []
    }
}
