-- Execution back ends: where a job's attempts run.
--   backend       'local': claimed by the worker pools that poll this store (`orchard serve`, `orchard worker`).
--                 'slurm': handed to `sbatch` by the Slurm dispatcher; only a worker started for the job
--                 (`orchard worker --job ID`) claims it, and only for the submission recorded in backend_ref.
--   backend_ref   the back end's id of the job's current submission (the Slurm job id); NULL before the first.
--   backend_state the submission's last state the dispatcher observed (SUBMITTING, PENDING, RUNNING, …, or the
--                 state it ended in); backend_reason its reason (Slurm's %r: Resources, Priority, …).
--   backend_live  1 from the moment a dispatcher reserved a submission until it saw that submission end: at most one
--                 live submission per job, and the reservation is what lets several dispatchers share a database.
--   backend_submissions  submissions made so far (they name the back end's jobs: orchard-<job id>-<n>).
--   backend_unstarted    submissions in a row whose worker never claimed the job (reset by a claim): bounded, so a job
--                 whose worker cannot start on the cluster fails `backend_submissions_exceeded` instead of being
--                 submitted forever; pauses, drains and lost nodes (whose worker did start) do not count.
--   backend_updated_at   when backend_state last changed (ms).
--   threads       the job's compute-thread budget (NULL: the server's default); Slurm's --cpus-per-task.
ALTER TABLE jobs ADD COLUMN backend TEXT NOT NULL DEFAULT 'local';
ALTER TABLE jobs ADD COLUMN backend_ref TEXT;
ALTER TABLE jobs ADD COLUMN backend_state TEXT;
ALTER TABLE jobs ADD COLUMN backend_reason TEXT;
ALTER TABLE jobs ADD COLUMN backend_live INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN backend_submissions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN backend_unstarted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN backend_updated_at INTEGER;
ALTER TABLE jobs ADD COLUMN threads INTEGER;
-- The dispatcher's poll: jobs of a back end that are unfinished or still have a live submission.
CREATE INDEX jobs_backend_open ON jobs (backend, seq) WHERE backend <> 'local' AND (finished_at IS NULL OR backend_live = 1);
