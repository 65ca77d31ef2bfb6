import Hummingbird
import Logging
import OrchardQueue

/// The per-request context: Hummingbird's core storage plus the authenticated tenant.
public struct OrchardRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on every `/v1` route.
    public var tenant: String?
    /// The authenticated key's limits (its own, else the server's defaults). Set by `AuthMiddleware`.
    public var limits = TenantLimits()

    public init(source: Source) {
        coreContext = .init(source: source)
        tenant = nil
    }

    /// JSON bodies above 1 MiB answer 413 (dataset uploads stream and have their own limit).
    public var maxUploadSize: Int { 1 << 20 }

    func requireTenant() throws -> String {
        guard let tenant else { throw APIError.unauthorized() }
        return tenant
    }
}
