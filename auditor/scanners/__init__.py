"""Scanners: one module per kind of input, each a pure function of one file's bytes.

They turn files into facts (``auditor.model``) and may import only ``model``,
``knowledge`` and each other; never ``facts``, the verdict, the rules or the reporters.
"""
