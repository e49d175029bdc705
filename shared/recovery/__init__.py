"""Recovery: the reaper that re-sends lost messages and retries dead jobs, what the broker
still holds, and error text fit to show a user."""
