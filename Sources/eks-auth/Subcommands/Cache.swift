import ArgumentParser
import EKSAuthCore
import EKSAuthSystem

struct Cache: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or clear the assumed-role credential cache.",
        discussion: "The cache lives in EKS_AUTH_CACHE_DIR, else ~/.kube/cache/eks-auth.",
        subcommands: [List.self, Clear.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each cached session: key, role, session and expiry (never secrets).")

        func run() throws {
            let live = LiveSystem(verbose: false)
            do {
                live.writeStdout(try CacheService(system: live.context).list())
            } catch let error as CacheError {
                throw live.reporter.fail(error)
            }
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every cached session.")

        func run() throws {
            let live = LiveSystem(verbose: false)
            do {
                live.writeStdout(try CacheService(system: live.context).clear())
            } catch let error as CacheError {
                throw live.reporter.fail(error)
            }
        }
    }
}
