"""The PDFs Shorei prints: the 症例一覧表 sheets (`sheets`) and the case-report PDF (`reports`), laid out on
the shared A4 pages of `page`, with text through `text` and a draft's errors through `draft_errors`.
"""
