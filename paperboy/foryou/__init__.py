"""For you: one recommendation model per member, learnt from upvotes, saves and
"not interested", explained; and alerts (issue 17)."""
