"""RF rules: the suppression comments themselves (`# ragfit: ignore[...]`)."""
