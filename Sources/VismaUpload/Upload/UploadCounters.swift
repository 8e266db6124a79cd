import FlexyVismaCore
import Foundation

/// Counts for the manifest, shared by the workers.
actor UploadCounters {
    var requests = 0
    var retries = 0
    var rateLimited = 0
    var lookups = 0

    func request() { requests += 1 }
    func retry() { retries += 1 }
    func limited() { rateLimited += 1 }
    func lookup() { lookups += 1 }
}
