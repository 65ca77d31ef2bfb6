import Foundation
import OrchardJobs

/// How a deletion request reads, tombstones and purges the records of a dataset of one kind; both stores run this SQL
/// (portable, `?` placeholders). A document's text is its text. A preference pair's is the prompt followed by the
/// chosen response — what DPO raises, the forget text its unlearning is evaluated on — and its content hash covers
/// the whole pair (prompt, chosen, rejected, newline-separated).
public struct DeletableRecordsSQL: Sendable {
    /// Columns `text` (the snapshot), `content` (what the receipt's hash covers) and `tombstoned_at` of record `?` of dataset `?`.
    public let select: String
    /// Tombstones record `?` of dataset `?` (bind the time first).
    public let tombstone: String
    /// Empties the text of record `?` of dataset `?` if it is tombstoned (a finished request keeps only hashes).
    public let purge: String

    public static func of(_ kind: DatasetKind) -> DeletableRecordsSQL {
        switch kind {
        case .documents:
            return DeletableRecordsSQL(
                select: "SELECT text, text AS content, tombstoned_at FROM documents WHERE dataset_id = ? AND id = ?",
                tombstone: "UPDATE documents SET tombstoned_at = ? WHERE dataset_id = ? AND id = ?",
                purge: "UPDATE documents SET text = '' WHERE dataset_id = ? AND id = ? AND tombstoned_at IS NOT NULL")
        case .preferencePairs:
            return DeletableRecordsSQL(
                select: """
                    SELECT prompt || chosen AS text, prompt || '\n' || chosen || '\n' || rejected AS content, tombstoned_at
                    FROM preference_pairs WHERE dataset_id = ? AND id = ?
                    """,
                tombstone: "UPDATE preference_pairs SET tombstoned_at = ? WHERE dataset_id = ? AND id = ?",
                purge: "UPDATE preference_pairs SET prompt = '', chosen = '', rejected = '' WHERE dataset_id = ? AND id = ? AND tombstoned_at IS NOT NULL")
        }
    }
}
