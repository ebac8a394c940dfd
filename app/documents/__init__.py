"""Documents: the content-addressed vault, ingest of scans and PDFs into pages, page tools,
rendering and thumbnails, and the upload-limit compressor. Qt-free."""
