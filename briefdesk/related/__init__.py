"""More on This Topic: the relatedness engine (no ORM inside). See engine.py."""
