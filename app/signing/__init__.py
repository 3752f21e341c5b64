"""Keys and signed files (docs/signing.md): the installation's Ed25519 key (`keys`) and the one scheme of
signed canonical JSON (`signed_files`) that the package, the form packs and the approval files share.

Below both app.export and app.approval, so that each signs and checks with it without importing the other.
"""
