"""Disclosures: anonymised copies of exported footage for third parties (citizen access
requests, press, training), with a signed redaction log."""
