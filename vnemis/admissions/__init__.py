"""Grade-10 admissions: rounds, applications, scores, allocation and published results."""
