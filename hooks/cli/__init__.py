"""`platform-gates`, the command line: set up, write logs, run and record gates, report, sync."""
