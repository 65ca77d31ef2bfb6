import Foundation
import Hummingbird
import OrchardQueue

/// Unauthenticated operational endpoints: liveness, readiness, Prometheus metrics, the OpenAPI document.
struct OperationalRoutes {
    let store: any QueueStore

    func register(on router: Router<OrchardRequestContext>) {
        router.get("healthz") { _, _ in Resources.response(["status": "ok"]) }
        router.get("readyz") { _, _ in
            let store = store
            let ready = (try? await store.offload { store.isReady() }) ?? false
            return ready ? Resources.response(["status": "ready"])
                : Resources.response(["status": "not_ready"], status: .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            let store = store
            let text = try await store.offload { try OrchardMetrics.shared.render(store: store) }
            var h: HTTPFields = [:]
            h[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("openapi.yaml") { _, _ in
            var h: HTTPFields = [:]
            h[.contentType] = "application/yaml"
            return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(string: EmbeddedOpenAPI.yaml)))
        }
    }
}
