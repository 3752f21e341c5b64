"""Approval by signed files (SPEC §2.2, JS-5 … JS-8): write and read the request, the response and the
statements of app.models.approval, and bind what comes back to the application. No Qt here.

The applicant's Shorei writes a **request** (`request.build_request`) for cases that are complete; the
指導者's Shorei reads it (`request.read_request`), decides case by case (`review.Review`, with a draft in
the data folder) and answers with a **response** (`response.build_response`) holding one **statement**
per case, each signed on its own. The applicant's Shorei reads the response (`response.read_response`)
and matches it to the cases (`matching.match_response`): the same request, the same content, our key,
the registered 指導者's key. The final package carries each approved statement, and
`statements.verify_statement` checks one there (app.export.verify).

`envelope` holds what every file shares: limits, names, errors and the checks in order (readable, strict
shape, RFC 8785 canonical, signature). Every file uses the signing scheme of app.signing; docs/signing.md
describes the three formats and what each check proves. Nothing here changes an application: the new
approval of a case is returned, and recording it is the caller's (the store's or the operations').

Submodules are imported by name (nothing is re-exported here), so that `shorei verify` loads only
`statements` and `envelope`.
"""
