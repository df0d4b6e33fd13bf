"""SC rules: vulnerabilities, malicious and typosquatted packages, pins, indexes, secrets."""
