"""The frame every gate stands on: configuration, git, the change set, records, the journal and the log."""
