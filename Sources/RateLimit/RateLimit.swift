// Limit algorithms, their stores and the plan policies arrive with the rate-limit issue; nothing belongs here yet.
