"""CSV bulk registration (応募者CSVアップロード, SPEC §4): parse, validate, preview, import, history."""
