"""Plots and the HTML report for a statesim output directory.

One module per job: csvio reads what a run wrote (tolerating what it legitimately lacks),
style keeps every figure's look and file handling alike, and each of comparison, latency,
timeseries, sweep, serverless, workflows and report draws one kind of output.
"""
