import Foundation

/// What one API key may use. Each limit is nil when none applies; a key's own value wins over the server's default
/// (`merged(over:)`). `maxQueuedJobs` and `maxDatasetBytes` bound the key's *tenant* (jobs and datasets belong to
/// tenants), as seen by requests made with that key; `requestsPerSecond` is the key's own rate.
public struct TenantLimits: Sendable, Equatable, Codable {
    /// Sustained requests per second to `/v1` (token bucket; burst: one second's worth, at least one request).
    public var requestsPerSecond: Double?
    /// Unfinished jobs (queued, running or paused) of the tenant a submission may not exceed.
    public var maxQueuedJobs: Int?
    /// Stored dataset bytes (as uploaded) of the tenant an upload may not exceed.
    public var maxDatasetBytes: Int64?

    public init(requestsPerSecond: Double? = nil, maxQueuedJobs: Int? = nil, maxDatasetBytes: Int64? = nil) {
        self.requestsPerSecond = requestsPerSecond; self.maxQueuedJobs = maxQueuedJobs; self.maxDatasetBytes = maxDatasetBytes
    }

    /// This key's limits, each falling back to `defaults` where the key sets none.
    public func merged(over defaults: TenantLimits) -> TenantLimits {
        TenantLimits(requestsPerSecond: requestsPerSecond ?? defaults.requestsPerSecond,
                     maxQueuedJobs: maxQueuedJobs ?? defaults.maxQueuedJobs,
                     maxDatasetBytes: maxDatasetBytes ?? defaults.maxDatasetBytes)
    }

    /// Refuses values that cannot be limits (the CLI's and the store's check).
    public func validate() throws {
        if let r = requestsPerSecond, !(r > 0 && r.isFinite) {
            throw StoreError.invalid(param: "requests_per_second", message: "requests per second must be a positive number")
        }
        if let q = maxQueuedJobs, q < 1 { throw StoreError.invalid(param: "max_queued_jobs", message: "max queued jobs must be at least 1") }
        if let b = maxDatasetBytes, b < 1 { throw StoreError.invalid(param: "max_dataset_bytes", message: "max dataset bytes must be at least 1") }
    }

    /// The limit a refusal names.
    public enum Kind: String, Sendable {
        case requestsPerSecond = "requests_per_second"
        case maxQueuedJobs = "max_queued_jobs"
        case maxDatasetBytes = "max_dataset_bytes"
    }
}

/// Who a bearer key acts for, and its own limits (nil fields: the server's defaults apply).
public struct APIKeyIdentity: Sendable, Equatable {
    public var tenant: String
    public var limits: TenantLimits
    public init(tenant: String, limits: TenantLimits) { self.tenant = tenant; self.limits = limits }
}
