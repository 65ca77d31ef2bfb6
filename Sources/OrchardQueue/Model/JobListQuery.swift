import Foundation
import OrchardJobs

/// Filters and cursor of `GET /v1/jobs` (newest first).
public struct JobListQuery: Sendable {
    public var tenant: String
    public var after: String?
    public var limit: Int = 20
    public var status: JobStatus?
    public var type: String?
    public var metadata: [String: String] = [:]
    public init(tenant: String) { self.tenant = tenant }
}

