"""Approval by signed files (SPEC §2.2, JS-5 … JS-8): the request, the response and the statements of
app.models.approval, and the 指導者's review. No Qt here; docs/signing.md describes the formats."""
