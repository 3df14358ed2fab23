import Foundation
import RoPEServer

// Block SIGINT/SIGTERM before any thread starts so every thread inherits the mask and `sigwait` below receives them.
var shutdownSignals = sigset_t()
sigemptyset(&shutdownSignals)
sigaddset(&shutdownSignals, SIGINT)
sigaddset(&shutdownSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &shutdownSignals, nil)
signal(SIGPIPE, SIG_IGN)
AllocatorTuning.keepLargeBuffersOnHeap()  // large tensors reuse heap memory instead of page-faulting fresh mmaps

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("rope-server: \(message)\n".utf8))
    exit(2)
}

let settings: ServerSettings
do {
    switch try ConfigurationLoader.load(arguments: Array(CommandLine.arguments.dropFirst()),
                                        environment: ProcessInfo.processInfo.environment) {
    case .print(let text):
        print(text)
        exit(0)
    case .run(let loaded):
        settings = loaded
    }
} catch {
    fail(error.description)
}

let openAPIDocument = try? String(contentsOfFile: settings.openAPIPath, encoding: .utf8)
let lifecycle = Lifecycle()
let context = ServiceContext(configuration: settings.server, openAPIDocument: openAPIDocument, lifecycle: lifecycle)
let server: HTTPServer
do {
    server = try HTTPServer(configuration: settings.server, router: RoPEService.router(context: context), lifecycle: lifecycle)
} catch {
    fail(error.description)
}

ServerLog.startup(settings: settings, port: server.port, openAPIFound: openAPIDocument != nil)

var received: Int32 = 0
sigwait(&shutdownSignals, &received)
ServerLog.event("shutdown", ["signal": received == SIGTERM ? "SIGTERM" : "SIGINT",
                             "in_flight": String(server.requestsInFlight),
                             "drain_timeout_s": String(settings.drainTimeoutSeconds)])
server.drainAndStop(timeout: .seconds(settings.drainTimeoutSeconds))
ServerLog.event("stopped", [:])
exit(0)
