import Foundation
import RoPE
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
let explorerPage = (try? String(contentsOfFile: settings.explorerPath, encoding: .utf8)).map(ExplorerPage.init)
let runtime = ServerRuntime(log: RequestLog(level: settings.logLevel, format: settings.logFormat))
// The one engine of the process: its caches serve every request.
let engine = Engine(parallelThreshold: settings.server.parallelThreshold)
let context = ServiceContext(configuration: settings.server, engine: engine, openAPIDocument: openAPIDocument,
                             explorerPage: explorerPage, runtime: runtime)
let server: HTTPServer
do {
    server = try HTTPServer(configuration: settings.server, router: RoPEService.router(context: context),
                            runtime: runtime)
} catch {
    fail(error.description)
}

// The first line names the bound port (tests and scripts started with --port 0 read it), then the configuration.
let startupFields: [(String, String)] = [("port", String(server.port)), ("version", RoPEService.version),
                                         ("worker_threads", String(settings.server.effectiveThreads)),
                                         ("openapi_found", String(openAPIDocument != nil)),
                                         ("explorer_found", String(explorerPage != nil))]
let configurationFields: [(String, String)] = ServerSettings.options.filter { $0.key != "port" }
    .map { ($0.key, $0.read(settings)) }
runtime.log.event("listening", always: true, startupFields + configurationFields)

var received: Int32 = 0
sigwait(&shutdownSignals, &received)
server.stopAccepting()
runtime.log.event("draining", level: .warning, always: true, [("signal", received == SIGTERM ? "SIGTERM" : "SIGINT"),
                                                ("in_flight", String(server.requestsInFlight)),
                                                ("drain_timeout_s", String(settings.drainTimeoutSeconds))])
server.drainAndStop(timeout: .seconds(settings.drainTimeoutSeconds))
runtime.log.event("stopped", level: .warning, always: true, [("in_flight", String(server.requestsInFlight))])
exit(0)
