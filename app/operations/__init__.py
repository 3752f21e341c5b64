"""Typed operations over an application document (SPEC §3): one change = one operation = one commit.

An operation is a small frozen value naming a change (`SetCaseField(section, row, "age", "６５")`,
`ImportResults(decisions, trust)` …). Its `plan(application, labels)` reads the typed `Application` and
returns a `Plan`: the path-based, invertible edits the history stores (app.operations.patch, the format
old databases hold), and the records written beside them (a request sent, an approved report kept, a
指導者's key trusted). Nothing here touches a database or a file:

- the store applies a plan in one transaction (`Store.apply(app_id, operation)`);
- the command line applies it to a document file (`typed.apply_plan`, then saves);
- the window calls the store with the operation its slot names.

The store applies plans, so this package sits below it and above the models (the import-linter layers):
`plan` (Plan, records, Labels, reading and checking values), `typed` (edits on a typed application, each
new part checked by its type), `patch` (the same edits on the stored JSON, and the history), `sections`,
`cases`, `rows`, `reports`, `approval` (the only operations that change a report's approval), `history`
(whole-document changes: restore, another form version), `errors`.
"""
