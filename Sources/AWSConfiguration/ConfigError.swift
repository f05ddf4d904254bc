import AWSSigning
import EKSAuthSystem

/// Problems in the AWS config and credentials files, the environment or the options.
public enum ConfigError: EKSAuthError, Equatable {
    /// A file could not be read (permissions, a directory, …).
    case unreadableFile(path: String, reason: String)
    /// A line of an INI file makes no sense.
    case malformedFile(path: String, line: Int, reason: String)
    /// A section, or a key of one section, appears twice in one file (botocore refuses such a file).
    case duplicateInFile(path: String, line: Int, what: String, firstLine: Int)
    /// A named profile exists in neither file.
    case profileNotFound(profile: String, selectedBy: String, files: [String])
    /// A region that is not a valid region name, and where it came from.
    case invalidRegion(String, source: SettingSource)
    /// A well-formed region name that is not in the SDK's region data (`Region.known`), where it came
    /// from, and the nearest known name when one is close.
    case unknownRegion(String, source: SettingSource, suggestion: String?)
    /// A setting with a value outside its allowed set.
    case invalidSetting(name: String, value: String, source: String, expected: String)
    /// An endpoint URL that cannot be used.
    case invalidEndpoint(String, source: String)
    /// The cluster name or id is missing (empty) or not usable. The executable words the missing case
    /// with the flags that give it.
    case invalidClusterID(String)

    /// What failed, with the file, line, value or source it came from.
    public var message: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .malformedFile(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .duplicateInFile(let path, let line, let what, let firstLine):
            return "\(path):\(line): \(what) appears a second time (first at line \(firstLine))"
        case .profileNotFound(let profile, let selectedBy, let files):
            return "profile '\(profile)' not found in \(files.joined(separator: " or ")) (selected by \(selectedBy))"
        case .invalidRegion(let region, let source):
            return "invalid region '\(region)' (from \(source)): expected a name like us-west-2"
        case .unknownRegion(let region, let source, let suggestion):
            return "unknown region '\(region)' (from \(source)): "
                + (suggestion.map { "did you mean '\($0)'?" } ?? "STS has no endpoint there")
        case .invalidSetting(let name, let value, let source, let expected):
            return "invalid value '\(value)' for \(name) (from \(source)): expected \(expected)"
        case .invalidEndpoint(let url, let source):
            return "invalid endpoint URL '\(url)' (from \(source)): expected http(s)://host[:port][/path]"
        case .invalidClusterID(let id):
            return id.isEmpty
                ? "no cluster name given"
                : "invalid cluster name '\(id)': it must not contain control characters or be longer than 255 bytes"
        }
    }

    /// What to do about a missing profile or a malformed line; nil otherwise.
    public var hint: String? {
        switch self {
        case .unknownRegion:
            return "the known regions are those of \(Partition.dataSource); a custom STS endpoint "
                + "(AWS_ENDPOINT_URL_STS, endpoint_url) skips this check"
        case .profileNotFound:
            return
                "'eks-auth config list-profiles' lists the profiles eks-auth reads; or unset the variable or flag that names it"
        case .malformedFile:
            return
                "lines must be '[section]', 'key = value', an indented continuation, or a comment starting with # or ;"
        case .duplicateInFile:
            return "keep one of the two: the AWS CLI refuses this file as well"
        default:
            return nil
        }
    }

    /// Bad files read as bad input (65), bad values as usage (64), a missing profile as configuration (78).
    public var kind: FailureKind {
        switch self {
        case .unreadableFile, .malformedFile, .duplicateInFile: return .badInput
        case .invalidRegion, .unknownRegion, .invalidSetting, .invalidEndpoint, .invalidClusterID: return .usage
        case .profileNotFound: return .configuration
        }
    }
}
