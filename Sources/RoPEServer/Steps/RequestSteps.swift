/// The steps around the router, made once per server from its configuration and runtime, and called by the HTTP
/// layer at fixed points of each request: headers arrived (connection budget, API key, declared size, then
/// admission to the memory budget), body chunks (admission grows), answer ready (admission shrinks, metrics,
/// access log), request over (admission gives back).
///
/// A struct of concrete steps, so a request costs no allocation and no dynamic dispatch here; the connection is a
/// generic `RequestConnection`, specialised for the HTTP library's.
struct RequestSteps: Sendable {
    let connectionBudget: ConnectionBudget
    /// nil when no API key is configured.
    let authorization: Authorization?
    let declaredBodySize: DeclaredBodySize
    let admission: AdmissionGate
    let metrics: RequestMetrics
    let accessLog: AccessLog

    /// The steps for a server with `limits` and `apiKey`, recording into `runtime`, its routes labelled by `router`.
    init(limits: ServerLimits, apiKey: String?, runtime: ServerRuntime, router: Router, admission: Admission) {
        connectionBudget = ConnectionBudget(maxConnections: limits.maxConnections)
        authorization = Authorization(apiKey: apiKey)
        declaredBodySize = DeclaredBodySize(maxBodyBytes: limits.maxBodyBytes)
        self.admission = AdmissionGate(admission: admission, limits: limits)
        metrics = RequestMetrics(metrics: runtime.metrics, router: router)
        accessLog = AccessLog(log: runtime.log)
    }

    /// The request's headers arrived (first call): refused from them alone (503 over the connection budget, 401,
    /// 413 for the declared size), or admitted, waiting or refused by the memory budget.
    func headersArrived<C: RequestConnection>(_ pending: PendingRequest, path: String,
                                              connection: C) -> AdmissionDecision {
        metrics.started()
        do throws(HTTPError) {
            try connectionBudget.check(openConnections: metrics.connectionsOpen)
            try authorization?.check(path: path, authorizationHeader: connection.header("Authorization"))
            try declaredBodySize.check(declaredLength: pending.expectedLength)
        } catch {
            return .refuse(error)
        }
        return admission.headersArrived(pending, connection: connection)
    }

    /// The answer is built: admission shrinks to it, and the request is recorded and logged.
    func responded(_ pending: PendingRequest, path: String, status: Int, responseBytes: Int, errorType: String?) {
        admission.responded(pending, responseBytes: responseBytes)
        let duration = ContinuousClock.now - pending.startedAt
        metrics.answered(method: pending.method, path: path, status: status, requestBytes: pending.count,
                         responseBytes: responseBytes, duration: duration, errorType: errorType)
        accessLog.write(method: pending.method, path: path, status: status, requestBytes: pending.count,
                        responseBytes: responseBytes, duration: duration, requestID: pending.requestID)
    }

    /// The request is over (answered, timed out or the client left): its reservation is given back.
    func completed(_ pending: PendingRequest) {
        admission.completed(pending)
        metrics.finished()
    }
}
