/// SQL both stores run for a back end's submissions (portable between SQLite and PostgreSQL; `?` placeholders).
/// Which one to run is `BackendSubmissionRules`' decision.
public enum BackendSubmissionSQL {
    /// Reserves the next submission of job `?` at time `?` (bind the time first): a live submission being made.
    public static let reserve = """
        UPDATE jobs SET backend_live = 1, backend_state = 'SUBMITTING', backend_reason = NULL, backend_ref = NULL,
                        backend_submissions = backend_submissions + 1,
                        backend_unstarted = backend_unstarted + 1, backend_updated_at = ?
        WHERE id = ?
        """
    /// Fails job `?` at time `?` with error `?` (bind time, error JSON, id): too many submissions never started.
    public static let fail = "UPDATE jobs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?"
}
