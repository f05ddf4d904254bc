import CLibFuzzer
import EKSAuthFuzzHarness
import Foundation

/// libFuzzer's entry point for `fuzz-exec-info`: one input, never printed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzInput.execInfo(FuzzInput.bytes(data, size))
    return 0
}

// SwiftPM names this executable's entry point itself, so libFuzzer's main is not the one that runs.
var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments, fuzzOneInput))
