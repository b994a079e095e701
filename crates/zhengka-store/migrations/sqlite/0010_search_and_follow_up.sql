-- Lists search by name and officers follow up on-site checks without opening
-- every sealed record: keyed hashes of the normalised passport name (exact
-- match only; the name itself stays inside the sealed record), and the permit's
-- on-site check state with its deadline. The data step fills them for existing
-- rows (it needs the store key).
ALTER TABLE applications ADD COLUMN name_hmac TEXT;
CREATE INDEX applications_name_idx ON applications (name_hmac);
CREATE INDEX applications_passport_idx ON applications (passport_hmac);
CREATE INDEX applications_due_idx ON applications (status, decision_due_on);
ALTER TABLE permits ADD COLUMN name_hmac TEXT;
ALTER TABLE permits ADD COLUMN onsite_state TEXT NOT NULL DEFAULT 'not_required';
ALTER TABLE permits ADD COLUMN onsite_due_on TEXT;
CREATE INDEX permits_name_idx ON permits (name_hmac);
CREATE INDEX permits_onsite_idx ON permits (onsite_state, onsite_due_on);
