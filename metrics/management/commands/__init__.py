"""``metrics_report``: the four figures on the command line."""
