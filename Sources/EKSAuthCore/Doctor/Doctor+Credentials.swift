import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension DoctorService {
    /// The name of the file the cache check writes and removes again to prove the directory writable.
    static let cacheProbeName = ".eks-auth-doctor-probe"

    func checkCredentials(_ request: DoctorRequest, _ state: inout State) -> DoctorFinding {
        guard state.settings != nil else { return .skipped(.credentials, "needs the settings (settings failed)") }
        let settings: AWSSettings
        let base: ResolvedCredentials
        do {
            // The same resolution as `token` and `whoami` (the chain, the region from instance
            // metadata, the expiry check); the role comes in its own check.
            (settings, base) = try CredentialResolution(system: system).resolve(
                profile: request.profile, region: request.region, role: nil)
        } catch {
            return .failure(
                .credentials, error, fix: "see each source tried with 'eks-auth whoami --verbose'")
        }
        state.settings = settings
        let now = system.clock.now()
        var details = [
            "source: \(base.source)", "access key: \(Self.masked(base.credentials.accessKeyID))",
        ]
        var expiry = "long-term keys, no expiry"
        if let expiration = base.credentials.expiration {
            expiry = "expire in \(Self.duration(expiration.timeIntervalSince(now))) (\(Timestamp.rfc3339(expiration)))"
        }
        details.append("expiry: \(expiry)")
        let identity: CallerIdentity
        do {
            identity = try STSClient(settings: settings, system: system).callerIdentity(as: base.credentials)
        } catch {
            return .failure(
                .credentials, error, details: details,
                fix: "the credentials of \(base.source) are not accepted by STS: renew or replace them")
        }
        details.append("identity: \(identity.arn) (account \(identity.account))")
        state.base = base
        state.caller = identity
        state.final = base
        state.finalARN = identity.arn
        let summary = "\(base.source); \(expiry)"
        if let expiration = base.credentials.expiration, expiration.timeIntervalSince(now) < EKSToken.validity {
            return DoctorFinding(
                .credentials, .warning, summary, details: details,
                fix: "renew them soon: a token lasts no longer than the credentials that signed it")
        }
        return .ok(.credentials, summary, details: details)
    }

    func checkCache() -> DoctorFinding {
        let directory = CredentialCache.directory(in: system.environment)
        guard system.useCache else { return .ok(.cache, "not used (--no-cache)", details: ["directory: \(directory)"]) }
        let fileSystem = system.fileSystem
        let details = ["directory: \(directory)"]
        let status: FileStatus?
        do {
            status = try fileSystem.status(of: directory)
        } catch {
            return cacheFailure("\(directory) cannot be examined: \(CredentialCache.reason(error))", details)
        }
        guard let status else {
            return .ok(.cache, "\(directory) does not exist yet; it is made (0700) when a session is cached")
        }
        let mode = String(status.mode, radix: 8)
        guard status.isDirectory else {
            return cacheFailure(
                "\(directory) is not a directory", details,
                fix: "remove it, or set EKS_AUTH_CACHE_DIR to a directory of your own")
        }
        if status.ownerID != fileSystem.currentUserID {
            return cacheFailure(
                "\(directory) belongs to uid \(status.ownerID), not to you (uid \(fileSystem.currentUserID)); "
                    + "the cache is not used", details,
                fix: "set EKS_AUTH_CACHE_DIR to a directory of your own, or remove that one")
        }
        if status.mode & 0o022 != 0 {
            return cacheFailure(
                "\(directory) is writable by others (mode \(mode)); the cache is not used", details,
                fix: "chmod 700 \(directory)")
        }
        do {
            let probe = "\(directory)/\(Self.cacheProbeName)"
            try fileSystem.writeAtomically([], to: probe, mode: 0o600)
            try fileSystem.remove(probe)
        } catch {
            return cacheFailure(
                "\(directory) cannot be written: \(CredentialCache.reason(error)); sessions are not cached", details,
                fix: "chmod u+rwx \(directory) (or free space on its disk), or set EKS_AUTH_CACHE_DIR elsewhere")
        }
        var problems: [String] = []
        if status.mode & 0o077 != 0 { problems.append("the directory is readable by others (mode \(mode))") }
        let names = (try? fileSystem.contents(of: directory)) ?? []
        let entries = names.filter { CredentialCache.ownFile($0) == .entry }
        for name in entries {
            let path = "\(directory)/\(name)"
            guard let file = try? fileSystem.status(of: path) else { continue }
            if file.ownerID != fileSystem.currentUserID {
                problems.append("\(name) belongs to uid \(file.ownerID) and is ignored")
            } else if file.mode & 0o077 != 0 {
                problems.append("\(name) is readable by others (mode \(String(file.mode, radix: 8))) and is ignored")
            } else if (try? fileSystem.read(path)).flatMap({ CacheEntry.decoding($0) }) == nil {
                problems.append("\(name) cannot be read as a cache entry and is ignored")
            }
        }
        let sessions = "\(entries.count) cached session\(entries.count == 1 ? "" : "s")"
        guard problems.isEmpty else {
            // The summary says what is wrong; each problem is a detail line.
            return DoctorFinding(
                .cache, .warning,
                "\(directory) is writable, but \(problems[0])\(problems.count > 1 ? ", and more" : "")",
                details: details + problems + [sessions],
                fix: "chmod 700 \(directory) and chmod 600 its files, or clear it with 'eks-auth cache clear'")
        }
        return .ok(.cache, "\(directory) is private and writable (\(sessions))", details: details)
    }

    func cacheFailure(_ summary: String, _ details: [String], fix: String? = nil) -> DoctorFinding {
        DoctorFinding(
            .cache, .failure, summary, details: details,
            fix: fix ?? "set EKS_AUTH_CACHE_DIR to a private directory of your own", kind: .badInput)
    }

    func checkRole(_ request: DoctorRequest, _ state: inout State) -> DoctorFinding {
        guard let base = state.base, let settings = state.settings else {
            return .skipped(.role, "needs working credentials (credentials failed)")
        }
        guard var role = request.role else {
            if case .assumedRole(let arn, let profile?, _) = base.source {
                return .ok(.role, "profile '\(profile)' assumes \(arn) (its credentials were checked above)")
            }
            return .ok(.role, "no role to assume (neither --role-arn nor DEFAULT_ROLE)")
        }
        // A fresh AssumeRole, not a cached session: the question is whether the role can be assumed now.
        // Nothing is written to the cache either.
        role.useCache = false
        var system = self.system
        system.useCache = false
        let details = ["role: \(role.roleARN)", "caller: \(state.caller?.arn ?? "?")"]
        do {
            let sts = try STSClient(settings: settings, system: system)
            let assumed = try RoleAssumer(system: system, settings: settings, sts: sts).assume(role, with: base)
            state.final = ResolvedCredentials(
                credentials: assumed.credentials,
                source: .assumedRole(assumed.assumedRoleARN, profile: nil, base: base.source))
            state.finalARN = assumed.assumedRoleARN
            var lines = details + ["session: \(assumed.assumedRoleARN)"]
            if let expiration = assumed.credentials.expiration {
                lines.append("session expiry: \(Timestamp.rfc3339(expiration))")
            }
            return .ok(.role, "assumed \(role.roleARN) as \(assumed.assumedRoleARN)", details: lines)
        } catch {
            state.final = nil
            state.finalARN = nil
            return .failure(
                .role, error, details: details,
                fix: "the role's trust policy must allow \(state.caller?.arn ?? "the caller"), and the caller's "
                    + "policies must allow sts:AssumeRole on \(role.roleARN)")
        }
    }
}
