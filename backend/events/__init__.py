"""Domain events: facts people must hear about, written in the transaction of the fact."""
