"""Learning from few ratings (issue 14): stated preferences, the prior scorer built from
them, and the rate-next choice of postings whose rating teaches the model most."""
