"""Rate counters behind the core's RateCounter port: in the database, in Redis, or in process memory."""
