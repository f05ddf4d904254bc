import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import ArgumentParser
import EKSAuthCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
            let cache = CredentialCache(
                directory: CredentialCache.directory(in: live.environment), fileSystem: live.context.fileSystem,
                warn: live.context.warn)
            do {
                let now = live.context.clock.now()
                let rows = try cache.entries().map { item -> [String] in
                    let expiry = item.entry.expirationDate
                    let left = expiry.map { Int($0.timeIntervalSince(now)) } ?? 0
                    let state = left > 0 ? "\(left / 60) min left" : "expired"
                    return [
                        String(item.file.prefix(12)), item.entry.roleARN, item.entry.assumedRoleARN, item.entry.profile,
                        item.entry.expiration, state,
                    ]
                }
                guard !rows.isEmpty else {
                    live.writeStdout("no cached credentials in \(cache.directory)")
                    return
                }
                live.writeStdout(
                    TableText.render(header: ["KEY", "ROLE", "SESSION", "PROFILE", "EXPIRES", "STATE"], rows: rows))
            } catch let error as FileSystemError {
                throw live.reporter.fail(CacheError.cannotRead(path: error.path, reason: error.reason))
            }
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every cached session.")

        func run() throws {
            let live = LiveSystem(verbose: false)
            let cache = CredentialCache(
                directory: CredentialCache.directory(in: live.environment), fileSystem: live.context.fileSystem,
                warn: live.context.warn)
            do {
                let removed = try cache.clear()
                live.writeStdout("removed \(removed) cached session\(removed == 1 ? "" : "s") from \(cache.directory)")
            } catch let error as FileSystemError {
                throw live.reporter.fail(CacheError.cannotClear(path: error.path, reason: error.reason))
            }
        }
    }
}
