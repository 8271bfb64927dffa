"""CSV bulk registration (応募者CSVアップロード, docs/product.md §4).

Parse, validate, preview, import, history.
"""
