extension StringProtocol {
    // Inlinable so that each caller's module specialises it for String or Substring: called across
    // the module boundary unspecialised, it instantiates generic metadata at run time (about 0.35 M
    // instructions on the token path, measured with callgrind).
    /// The string without leading and trailing spaces, tabs, carriage returns and newlines.
    @inlinable public func trimmingWhitespace() -> String {
        // "\r\n" is a single Character in Swift and must be named on its own.
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
