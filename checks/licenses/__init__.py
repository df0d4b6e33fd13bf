"""LC rules: relicensed components, non-open-source, incompatible and unknown licenses."""
