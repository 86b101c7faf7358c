"""Evidence: export jobs, the lossless MP4 writer, manifests, signatures (site certificate,
ONVIF Export File Format), verification, the extraction report, the player bundle and the
export journal (rule 5)."""
