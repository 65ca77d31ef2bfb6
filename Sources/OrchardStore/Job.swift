import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension Job {
    /// A `jobs` row whose first columns are `Job.columns`.
    init(row: Row) { self.init(columns: RowColumns(row: row)) }
}

/// A GRDB row as `JobColumns`.
struct RowColumns: JobColumns {
    let row: Row
    func isNull(_ i: Int) -> Bool { row.hasNull(atIndex: i) }
    func int64(_ i: Int) -> Int64 { row[i] ?? 0 }
    func text(_ i: Int) -> String { row[i] ?? "" }
}
