"""AD rules: the adaptation strategy and its costly mistakes, read from the verdict."""
