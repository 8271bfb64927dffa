"""What the core announces to the apps above it (docs/architecture.md), so that it imports none of them.

Sent inside the transaction that made the change: a receiver's writes (the D03 outbox rows) commit or
roll back with it, and a receiver that raises undoes the change.
"""

from django.dispatch import Signal

# applicants_register: `job_posting` and `applicants` (the new rows, with their pks).
applicants_registered = Signal()
# applicants_withdraw: `applicant_ids` of those who became 辞退 (withdrawn).
applicants_withdrawn = Signal()
# applicants_deadline_extend: `applicants` whose deadline moved later (期限延長), `notify` when the
# recruiter asked for D06, and `key` naming the extension (the same one twice sends D06 once).
applicants_deadline_extended = Signal()
# applicants_videos_delete: `applicant_ids` whose videos and share links go (retention); `dry_run`
# asks only for counts. Each receiver returns {what: count}.
applicants_videos_delete = Signal()
# applicants_erase: `applicant_ids` whose personal data every app deletes (個人情報の削除依頼);
# `dry_run` asks only for counts. Each receiver returns {what: count}.
applicants_erase = Signal()
