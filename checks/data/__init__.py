"""Knowledge as data (TOML), loaded once by ``auditor.knowledge``: no code here."""
