"""Live viewing: opening a journalled live view (grants), and relaying the ingest workers' live
feeds to viewers in the API process (docs/design/live-view.md)."""
